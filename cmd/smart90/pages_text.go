// The default texts of /privacy and /terms: what smart90 as shipped
// stores and for how long. An operator who runs it differently replaces
// them (SMART90_PRIVACY_FILE, SMART90_PRIVACY_URL and the terms' pair).

package main

// defaultPrivacy is the privacy statement's default text.
var defaultPrivacy = []pageSection{
	{Paras: []string{
		"smart90 is a coaching bot for Slack, Microsoft Teams and a console. This page says what it stores about the people who use it, for how long, and who sees it. It describes smart90 as shipped; the organisation running this copy may say more on its own page.",
	}},
	{Heading: "Who is responsible", Paras: []string{
		"The organisation that runs this copy of smart90 (the operator) is the controller of your data: it chose to install smart90 in your workspace or tenant, and it keeps the data on its own servers. smart90's authors receive none of it. Nothing is sold or shared for advertising.",
	}},
	{Heading: "What smart90 stores", Items: []string{
		"Your profile: your name, your id on the chat platform, your time zone, whether you are a coach or a client, your settings (digest and check-in times, country for public holidays, days off), and your e-mail address if you gave it or the platform's profile has it.",
		"What you write in coaching: your rocks (your goals for the quarter) and every change to them, your daily check-ins, your weekly reports, your quarterly reviews and your scorecard.",
		"Sessions with your coach: their times and, for a coach, the notes they write after a session. A coach's notes are shown to that coach only.",
		"Deliveries: a record of each prompt, digest, brief and other scheduled message smart90 sent or skipped, when, and why one was skipped (for example \"out of office\"). Your chat status itself is read when a prompt is due and never stored.",
		"Where to reach you: the chat platform's address of your conversation with smart90.",
		"For a coach who connects a calendar: its address, stored encrypted and never logged or shown, and the sessions found in it.",
	}},
	{Heading: "How long it is kept", Items: []string{
		"Your profile, rocks, check-ins, weekly reports, reviews, scorecard, sessions, notes and deliveries are kept until you delete them with forget-me, or until the operator deletes them.",
		"Conversation state (where you are in a question smart90 asked) is kept at most 36 hours.",
		"Records of the platform's events, kept so that a message delivered twice is answered once, are deleted after about an hour.",
		"A coach's weekly digest records keep figures only, not your words.",
	}},
	{Heading: "Who sees it", Paras: []string{
		"You see your own data. Your coach sees yours; a coach sees only their own clients' data, and a client only their own. A coach may have their weekly digest about their clients posted in a channel they choose; the people in that channel read it. The operator's administrators can read the database.",
		"If the operator turned on written summaries, the facts of a client's recent period as the brief shows them, with the client's own words but not the coach's notes, the client's name, e-mail address or platform id, are sent to the language model the operator chose when a coach gets that client's brief.",
	}},
	{Heading: "Your choices", Paras: []string{
		"Type export in your chat with smart90 to get everything it keeps about you, as JSON and CSV files.",
		"Type forget-me to delete it: every record that refers to you or holds your words, and your conversation state. smart90 asks you to confirm first.",
		"For anything else, ask the operator: the people who installed smart90 for you.",
	}},
}

// defaultTerms is the terms of use's default text.
var defaultTerms = []pageSection{
	{Paras: []string{
		"smart90 is a coaching bot run by the organisation that installed it in your workspace or tenant (the operator). By using it you agree to these terms and to the operator's own rules for its tools.",
	}},
	{Heading: "Using smart90", Items: []string{
		"Use smart90 for coaching: your goals, check-ins, reports, reviews and sessions with your coach.",
		"Write only what you are allowed to share with your coach and the operator. Do not put passwords or other secrets in messages.",
		"You can stop at any time: type forget-me to delete what smart90 keeps about you.",
	}},
	{Heading: "Your data", Paras: []string{
		"What smart90 stores, for how long and who sees it is described in the privacy statement at /privacy. Your words stay yours; export gives you a copy at any time.",
	}},
	{Heading: "No warranty", Paras: []string{
		"smart90 is software provided as is, without warranty of any kind. Messages may arrive late or not at all, for example when the chat platform is down. The operator is responsible for running it; smart90's authors are not liable for its use.",
	}},
	{Heading: "Questions", Paras: []string{
		"Ask the operator: the people who installed smart90 for you.",
	}},
}
