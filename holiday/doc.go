// Package holiday tells which days are national public holidays in the
// countries smart90 knows, so that a client's check-in is not asked on
// Whit Monday in Germany or on Christmas Day in London.
//
// The dates come from github.com/rickar/cal/v2, which computes moveable
// feasts (Easter and what hangs on it: Good Friday, Ascension, Whit
// Monday), nth-weekday rules (Memorial Day, Thanksgiving) and substitute
// days (a holiday on a weekend observed on a workday: Boxing Day 2026 on
// Monday 28 December in the United Kingdom, Independence Day 2026 on
// Friday 3 July in the United States). A holiday counts on its observed
// day; a substitute day is named "Boxing Day (substitute day)" (in
// North America "Independence Day (observed)").
//
// Only national holidays are listed: the days off everyone in the
// country has. Regional ones (a German state's Corpus Christi or
// Reformation Day, a Swiss canton's, an Australian state's King's
// Birthday, Scotland's own bank holidays) are left out, except where the
// library's national list itself holds them (Canada's and Austria's lists
// as rickar/cal gives them). Australia and Switzerland have no national
// list in the library: theirs here are the days every state or canton
// keeps. The United Kingdom's are England and Wales' bank holidays.
//
// India's national gazetted holidays (Republic Day, Independence Day,
// Gandhi Jayanti) are defined here, since the library has no India;
// festival holidays that follow lunar calendars (Diwali, Holi, Eid) move
// every year and are not covered.
//
// Names are in English, as smart90 speaks to people in English.
package holiday
