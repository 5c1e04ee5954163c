package cpor_test

import (
	"strings"
	"testing"
	"time"

	"example.invalid/libcpor/bindings/go/cpor"
)

func d(t *testing.T, s string) cpor.Date {
	t.Helper()
	x, err := cpor.ParseDate(s)
	must(t, err)
	return x
}

func TestDates(t *testing.T) {
	x, err := cpor.NewDate(2026, time.November, 27)
	must(t, err)
	eq(t, "string", x.String(), "2026-11-27")
	eq(t, "parse", d(t, "2026-11-27"), x)
	eq(t, "weekday", x.Weekday(), time.Friday)
	eq(t, "time", x.Time(), time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	eq(t, "of", cpor.DateOf(time.Date(2026, 11, 27, 23, 59, 0, 0, time.UTC)), x)
	eq(t, "epoch", cpor.MustDate(1970, time.January, 1), cpor.Date(0))
	eq(t, "before epoch", cpor.MustDate(1969, time.December, 31), cpor.Date(-1))
	eq(t, "year 1", cpor.MustDate(1, time.January, 1).String(), "0001-01-01")
	_, err = cpor.NewDate(2026, time.February, 30)
	wantErr(t, err, cpor.ErrInvalid)
	_, err = cpor.NewDate(10000, time.January, 1)
	wantErr(t, err, cpor.ErrRange)
	for _, bad := range []string{"2026-1-01", "2026-11-27 ", "26-11-27", ""} {
		_, err = cpor.ParseDate(bad)
		wantErr(t, err, cpor.ErrInvalid)
	}
}

func TestCalendarWeekends(t *testing.T) {
	cal, err := cpor.BuiltinCalendar("weekends")
	must(t, err)
	defer cal.Close()
	eq(t, "name", cal.Name(), "weekends")
	fri := d(t, "2026-11-27")
	got, err := cal.Add(fri, 1)
	must(t, err)
	eq(t, "Friday + 1", got, d(t, "2026-11-30"))
	got, err = cal.Add(d(t, "2026-11-28"), 1) // Saturday + 1
	must(t, err)
	eq(t, "Saturday + 1", got, d(t, "2026-11-30"))
	got, err = cal.Add(d(t, "2026-11-30"), -1)
	must(t, err)
	eq(t, "Monday - 1", got, fri)
	got, err = cal.Add(d(t, "2026-11-28"), 0)
	must(t, err)
	eq(t, "Saturday + 0 rolls forward", got, d(t, "2026-11-30"))
	n, err := cal.Count(d(t, "2026-11-02"), d(t, "2026-11-09"))
	must(t, err)
	eq(t, "count a week", n, int64(5))
	n, err = cal.Count(d(t, "2026-11-09"), d(t, "2026-11-02"))
	must(t, err)
	eq(t, "count backwards", n, int64(-5))
	ok, err := cal.IsBusinessDay(fri)
	must(t, err)
	eq(t, "friday", ok, true)
	ok, err = cal.IsBusinessDay(d(t, "2026-11-29"))
	must(t, err)
	eq(t, "sunday", ok, false)
	adj, err := cal.Adjust(d(t, "2026-11-28"), cpor.RollPreceding)
	must(t, err)
	eq(t, "preceding", adj, fri)
	adj, err = cal.Adjust(d(t, "2026-11-29"), cpor.RollNearest)
	must(t, err)
	eq(t, "nearest from Sunday", adj, d(t, "2026-11-30"))
	adj, err = cal.Adjust(d(t, "2026-10-31"), cpor.RollModifiedFollowing)
	must(t, err)
	eq(t, "modified following stays in October", adj, d(t, "2026-10-30"))
	many, err := cal.AddN([]cpor.Date{fri, d(t, "2026-11-02")}, 5)
	must(t, err)
	eq(t, "batch 0", many[0], d(t, "2026-12-04"))
	eq(t, "batch 1", many[1], d(t, "2026-11-09"))
	_, err = cal.Add(d(t, "9999-12-31"), 1)
	wantErr(t, err, cpor.ErrRange)
}

func TestCalendarUSFederal(t *testing.T) {
	cal, err := cpor.BuiltinCalendar("us-federal")
	must(t, err)
	defer cal.Close()
	got, err := cal.Add(d(t, "2026-11-25"), 1) // Thanksgiving is Thursday 2026-11-26
	must(t, err)
	eq(t, "Wednesday before Thanksgiving + 1", got, d(t, "2026-11-27"))
	ok, err := cal.IsBusinessDay(d(t, "2026-11-26"))
	must(t, err)
	eq(t, "Thanksgiving", ok, false)
	// 2027-12-25 is a Saturday: observed Friday 2027-12-24.
	ok, err = cal.IsBusinessDay(d(t, "2027-12-24"))
	must(t, err)
	eq(t, "observed Christmas", ok, false)
	n, err := cal.Count(d(t, "2026-11-23"), d(t, "2026-11-30"))
	must(t, err)
	eq(t, "Thanksgiving week", n, int64(4))
	_, err = cpor.BuiltinCalendar("mars")
	wantErr(t, err, cpor.ErrNotFound)
}

func TestCalendarParseAndBuild(t *testing.T) {
	cal, err := cpor.ParseCalendar("name acme\nweekend sat sun\ndate 2026-11-30 # a one-off\n")
	must(t, err)
	defer cal.Close()
	eq(t, "name", cal.Name(), "acme")
	got, err := cal.Add(d(t, "2026-11-27"), 1)
	must(t, err)
	eq(t, "skips the holiday", got, d(t, "2026-12-01"))

	_, err = cpor.ParseCalendar("weekend sat sun\nfixed 13-01 \"bad\"\n")
	e := wantErr(t, err, cpor.ErrInvalid)
	if !strings.HasPrefix(e.Message, "line 2:") {
		t.Errorf("message %q", e.Message)
	}

	built, err := cpor.NewCalendar(cpor.CalendarSpec{
		Weekdays:    []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday},
		Holidays:    []cpor.Date{d(t, "2026-11-30")},
		WorkingDays: []cpor.Date{d(t, "2026-11-27")}, // a Friday worked
	})
	must(t, err)
	defer built.Close()
	for s, want := range map[string]bool{
		"2026-11-26": true, "2026-11-27": true, "2026-11-28": false, "2026-11-29": true, "2026-11-30": false,
	} {
		ok, err := built.IsBusinessDay(d(t, s))
		must(t, err)
		eq(t, s, ok, want)
	}
	_, err = cpor.NewCalendar(cpor.CalendarSpec{Weekdays: []time.Weekday{}})
	wantErr(t, err, cpor.ErrInvalid)
	_, err = cpor.NewCalendar(cpor.CalendarSpec{Rules: "nth 11 thu 9 \"x\""})
	wantErr(t, err, cpor.ErrInvalid)
	withRules, err := cpor.NewCalendar(cpor.CalendarSpec{Rules: "nth 11 thu 4 \"Thanksgiving\""})
	must(t, err)
	ok, err := withRules.IsBusinessDay(d(t, "2026-11-26"))
	must(t, err)
	eq(t, "rules added", ok, false)
	withRules.Close()
	withRules.Close() // twice is fine
	_, err = withRules.Add(d(t, "2026-11-26"), 1)
	wantErr(t, err, cpor.ErrInvalid)
}

func TestTimeZoneAndDeadline(t *testing.T) {
	tz, err := cpor.ParseTimeZone("PST8PDT,M3.2.0,M11.1.0")
	must(t, err)
	defer tz.Close()
	// 2026-11-03 05:00Z is 2026-11-02 21:00 PST.
	ev := time.Date(2026, 11, 3, 5, 0, 0, 0, time.UTC)
	ld, err := tz.LocalDate(ev)
	must(t, err)
	eq(t, "local date", ld, d(t, "2026-11-02"))
	off, err := tz.Offset(ev)
	must(t, err)
	eq(t, "offset", off, -8*time.Hour)
	sod, err := tz.StartOfDay(d(t, "2026-07-01"))
	must(t, err)
	eq(t, "start of day in PDT", sod, time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC))

	cal, err := cpor.BuiltinCalendar("weekends")
	must(t, err)
	defer cal.Close()
	due, closes, err := cal.Deadline(tz, ev, 5)
	must(t, err)
	eq(t, "due", due, d(t, "2026-11-09"))
	eq(t, "closes", closes, time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC))
	due, closes, err = cal.Deadline(nil, start, 5)
	must(t, err)
	eq(t, "due UTC", due, d(t, "2026-11-09"))
	eq(t, "closes UTC", closes, time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC))
	_, _, err = cal.Deadline(nil, start, 0)
	wantErr(t, err, cpor.ErrInvalid)

	_, err = cpor.ParseTimeZone("Europe/Paris")
	wantErr(t, err, cpor.ErrInvalid)
}
