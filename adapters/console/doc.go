// Package console is smart90's terminal adapter: one person plays several
// chat users (a coach and their clients) and runs the whole coaching loop
// locally, with a clock they move by hand instead of waiting for Friday.
//
// The console reads one line at a time, turns it into a bot.Event for the
// core, and prints the core's replies and everything sent through it as a
// bot.Messenger, each labelled with who sees it, so a piped transcript of one
// person playing several users still reads clearly:
//
//	:as NAME [Area/City]      act as user NAME (a-z, 0-9, ".", "_", "-");
//	                          before any :as, the console acts as "you"
//	/smart90 WORDS...         a command; @name is a mention, #name a channel
//	:click LABEL|ACTIONID     press a button on the latest message you were shown
//	:form key=value; ...      submit the latest form you were shown
//	:advance 1d2h             move the clock forward (at most 400 days)
//	:at YYYY-MM-DD HH:MM      move the clock to a time in your zone
//	:status NAME :emoji: text until YYYY-MM-DD
//	                          set a user's chat status (read through
//	                          bot.StatusReader: out of office skips prompts)
//	:tick                     run the scheduler now
//	:time, :who, :help, :quit
//	# comment                 echoed into the transcript
//	anything else             a direct message to the bot
//
// :advance and :at play the time through: the scheduler runs at every
// instant on the way where something is due (Config.NextDue), in order, so
// each prompt and its reminder arrive as they would, stamped with the
// recipient's local time.
//
// A user's external id and display name are both their console name, and a
// channel's id is its name without "#": what the core stores for the console
// installation reads the same as what was typed.
package console
