package cpor

// #include <stdlib.h>
// #include <cpor/cpor.h>
import "C"

import (
	"runtime"
	"strings"
	"time"
	"unsafe"
)

// Calendar is an immutable business-day calendar (a weekmask, holidays and
// worked weekend days). It may be shared by goroutines, and closed while
// they use it: Close releases it once the calls in flight have returned,
// and later calls fail with ErrClosed. A finalizer releases a Calendar
// that was never closed.
type Calendar struct {
	p *C.cpor_calendar // set once; valid while a reference is held
	r refs
}

func newCalendar(p *C.cpor_calendar) *Calendar {
	c := &Calendar{p: p}
	c.r.free = func() { C.cpor_calendar_unref(p) }
	runtime.SetFinalizer(c, (*Calendar).Close)
	return c
}

// use takes a reference for one call (release it with c.r.release).
func (c *Calendar) use() error {
	if !c.r.acquire() {
		return errCalendarClosed()
	}
	return nil
}

// BuiltinCalendar returns a built-in calendar: "weekends" (Saturday and
// Sunday off, no holidays) or "us-federal" (US federal holidays with
// observance); ErrNotFound for any other name.
func BuiltinCalendar(name string) (_ *Calendar, err error) {
	defer catchArg(&err)
	cs := cstring(name)
	defer C.free(unsafe.Pointer(cs))
	var p *C.cpor_calendar
	if rc := C.cpor_calendar_builtin(cs, &p); rc < 0 {
		return nil, codeError(rc, "no built-in calendar named '"+name+"'")
	}
	return newCalendar(p), nil
}

// ParseCalendar builds a calendar from the calendar rule language (see
// DESIGN.md): one rule a line, e.g. "weekend sat sun", "fixed 01-01
// observe=nearest", "nth 11 thu 4". On ErrInvalid the message says
// "line N: what is wrong".
func ParseCalendar(text string) (_ *Calendar, err error) {
	defer catchArg(&err)
	cs := cstring(text)
	defer C.free(unsafe.Pointer(cs))
	var buf [256]C.char
	var p *C.cpor_calendar
	if rc := C.cpor_calendar_parse(cs, &p, &buf[0], C.size_t(len(buf))); rc < 0 {
		return nil, codeError(rc, C.GoString(&buf[0]))
	}
	return newCalendar(p), nil
}

// CalendarSpec describes a calendar to build with NewCalendar.
type CalendarSpec struct {
	// Business days of the week; nil means Monday to Friday.
	Weekdays []time.Weekday
	// One-off holidays.
	Holidays []Date
	// Weekend days that are worked. A date that is both is a holiday.
	WorkingDays []Date
	// Rules in the calendar rule language, added after the above.
	Rules string
}

// NewCalendar builds a calendar from spec.
func NewCalendar(spec CalendarSpec) (_ *Calendar, err error) {
	defer catchArg(&err)
	var b *C.cpor_calendar_builder
	if err := check(C.cpor_calendar_builder_new(&b)); err != nil {
		return nil, err
	}
	defer C.cpor_calendar_builder_free(b)
	if spec.Weekdays != nil {
		var mask C.uint32_t
		for _, w := range spec.Weekdays {
			if w < time.Sunday || w > time.Saturday {
				return nil, codeError(C.CPOR_EINVAL, "bad weekday "+w.String())
			}
			// the library: bit 0 = Monday ... bit 6 = Sunday
			mask |= 1 << ((uint(w) + 6) % 7)
		}
		if rc := C.cpor_calendar_builder_set_weekmask(b, mask); rc < 0 {
			return nil, codeError(rc, "a calendar needs at least one business day a week")
		}
	}
	for _, d := range spec.Holidays {
		if err := check(C.cpor_calendar_builder_add_holiday(b, C.cpor_date(d))); err != nil {
			return nil, err
		}
	}
	for _, d := range spec.WorkingDays {
		if err := check(C.cpor_calendar_builder_add_working_day(b, C.cpor_date(d))); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(spec.Rules) != "" {
		// Parse first for the "line N: ..." message, then add to the builder.
		cal, err := ParseCalendar(spec.Rules)
		if err != nil {
			return nil, err
		}
		cal.Close()
		cs := cstring(spec.Rules)
		defer C.free(unsafe.Pointer(cs))
		if err := check(C.cpor_calendar_builder_add_rules(b, cs)); err != nil {
			return nil, err
		}
	}
	var p *C.cpor_calendar
	if err := check(C.cpor_calendar_builder_build(b, &p)); err != nil {
		return nil, err
	}
	return newCalendar(p), nil
}

// Close releases the calendar: at once, or when the last call still using
// it on another goroutine returns. Contexts opened with it keep their own
// reference. It is safe to call more than once, and from any goroutine;
// later calls on the Calendar fail with ErrClosed.
func (c *Calendar) Close() error {
	c.r.close()
	runtime.SetFinalizer(c, nil)
	return nil
}

func errCalendarClosed() error { return closedError("the calendar is closed") }

// Name returns the calendar's name ("" when it has none or is closed).
func (c *Calendar) Name() string {
	if c.use() != nil {
		return ""
	}
	defer c.r.release()
	return C.GoString(C.cpor_calendar_name(c.p))
}

// IsBusinessDay reports whether d is a business day.
func (c *Calendar) IsBusinessDay(d Date) (bool, error) {
	if err := c.use(); err != nil {
		return false, err
	}
	defer c.r.release()
	rc := C.cpor_calendar_is_business_day(c.p, C.cpor_date(d))
	runtime.KeepAlive(c)
	if err := check(rc); err != nil {
		return false, err
	}
	return rc == 1, nil
}

// Add returns, for n > 0, the n-th business day strictly after d; for
// n < 0, the |n|-th strictly before; for n == 0, d rolled forward to a
// business day.
func (c *Calendar) Add(d Date, n int) (Date, error) {
	if err := c.use(); err != nil {
		return 0, err
	}
	defer c.r.release()
	if int(int32(n)) != n {
		return 0, codeError(C.CPOR_ERANGE, "business-day count out of range")
	}
	var out C.cpor_date
	rc := C.cpor_calendar_add_business_days(c.p, C.cpor_date(d), C.int32_t(n), &out)
	runtime.KeepAlive(c)
	if err := check(rc); err != nil {
		return 0, err
	}
	return Date(out), nil
}

// AddN is Add over many dates in one call (much faster for bulk work).
func (c *Calendar) AddN(dates []Date, n int) ([]Date, error) {
	if err := c.use(); err != nil {
		return nil, err
	}
	defer c.r.release()
	if int(int32(n)) != n {
		return nil, codeError(C.CPOR_ERANGE, "business-day count out of range")
	}
	out := make([]Date, len(dates))
	if len(dates) == 0 {
		return out, nil
	}
	// Date and cpor_date are both int32: the slices are passed as they are.
	rc := C.cpor_calendar_add_business_days_n(c.p, (*C.cpor_date)(unsafe.Pointer(&dates[0])),
		C.size_t(len(dates)), C.int32_t(n), (*C.cpor_date)(unsafe.Pointer(&out[0])))
	runtime.KeepAlive(c)
	if err := check(rc); err != nil {
		return nil, err
	}
	return out, nil
}

// Count returns the number of business days in the half-open range
// [from, to); Count(a, b) == -Count(b, a).
func (c *Calendar) Count(from, to Date) (int64, error) {
	if err := c.use(); err != nil {
		return 0, err
	}
	defer c.r.release()
	var out C.int64_t
	rc := C.cpor_calendar_count_business_days(c.p, C.cpor_date(from), C.cpor_date(to), &out)
	runtime.KeepAlive(c)
	if err := check(rc); err != nil {
		return 0, err
	}
	return int64(out), nil
}

// Adjust rolls d to a business day with the given convention.
func (c *Calendar) Adjust(d Date, roll Roll) (Date, error) {
	if err := c.use(); err != nil {
		return 0, err
	}
	defer c.r.release()
	var out C.cpor_date
	rc := C.cpor_calendar_adjust(c.p, C.cpor_date(d), C.cpor_roll(roll), &out)
	runtime.KeepAlive(c)
	if err := check(rc); err != nil {
		return 0, err
	}
	return Date(out), nil
}

// Deadline computes "n business days after the event" in time zone tz
// (nil = UTC): due is the n-th business day strictly after the event's
// local date (n >= 1), closesAt the first instant of the local day after
// due (the window's exclusive end).
func (c *Calendar) Deadline(tz *TimeZone, event time.Time, n int) (due Date, closesAt time.Time, err error) {
	if err := c.use(); err != nil {
		return 0, time.Time{}, err
	}
	defer c.r.release()
	if tz == nil {
		if tz, err = ParseTimeZone("UTC0"); err != nil {
			return 0, time.Time{}, err
		}
		defer tz.Close()
	}
	if err := tz.use(); err != nil {
		return 0, time.Time{}, err
	}
	defer tz.r.release()
	if int(int32(n)) != n {
		return 0, time.Time{}, codeError(C.CPOR_ERANGE, "business-day count out of range")
	}
	var d C.cpor_date
	var at C.cpor_time
	rc := C.cpor_calendar_deadline(c.p, tz.p, cTime(event), C.int32_t(n), &d, &at)
	runtime.KeepAlive(c)
	runtime.KeepAlive(tz)
	if err := check(rc); err != nil {
		return 0, time.Time{}, err
	}
	return Date(d), goTime(at), nil
}

// TimeZone is a parsed POSIX TZ rule ("UTC0", "PST8PDT,M3.2.0,M11.1.0"). It
// is immutable and may be shared by goroutines. The library never reads the
// host's time zone or zoneinfo.
//
// Like a Calendar, a TimeZone may be closed while other goroutines use it:
// it is freed when the last call in flight returns; later calls fail with
// ErrClosed.
type TimeZone struct {
	p    *C.cpor_tz // set once; valid while a reference is held
	r    refs
	rule string
}

func errTZClosed() error { return closedError("the time zone is closed") }

// use takes a reference for one call (release it with tz.r.release).
func (tz *TimeZone) use() error {
	if !tz.r.acquire() {
		return errTZClosed()
	}
	return nil
}

// ParseTimeZone parses a POSIX TZ rule; a zoneinfo name ("Europe/Paris") or
// a leading ':' is ErrInvalid.
func ParseTimeZone(posix string) (_ *TimeZone, err error) {
	defer catchArg(&err)
	cs := cstring(posix)
	defer C.free(unsafe.Pointer(cs))
	var p *C.cpor_tz
	if rc := C.cpor_tz_parse(cs, &p); rc < 0 {
		return nil, codeError(rc, "bad time zone '"+posix+"': a POSIX TZ rule is expected")
	}
	tz := &TimeZone{p: p, rule: posix}
	tz.r.free = func() { C.cpor_tz_free(p) }
	runtime.SetFinalizer(tz, (*TimeZone).Close)
	return tz, nil
}

// String returns the rule the zone was parsed from.
func (tz *TimeZone) String() string { return tz.rule }

// Close frees the time zone: at once, or when the last call still using it
// on another goroutine returns. It is safe to call more than once, and
// from any goroutine; later calls fail with ErrClosed.
func (tz *TimeZone) Close() error {
	tz.r.close()
	runtime.SetFinalizer(tz, nil)
	return nil
}

// LocalDate returns the local civil date of t.
func (tz *TimeZone) LocalDate(t time.Time) (Date, error) {
	if err := tz.use(); err != nil {
		return 0, err
	}
	defer tz.r.release()
	var d C.cpor_date
	rc := C.cpor_tz_local_date(tz.p, cTime(t), &d)
	runtime.KeepAlive(tz)
	if err := check(rc); err != nil {
		return 0, err
	}
	return Date(d), nil
}

// StartOfDay returns the first instant of the local date d (the earliest
// valid instant when local midnight falls in a DST gap).
func (tz *TimeZone) StartOfDay(d Date) (time.Time, error) {
	if err := tz.use(); err != nil {
		return time.Time{}, err
	}
	defer tz.r.release()
	var t C.cpor_time
	rc := C.cpor_tz_start_of_day(tz.p, C.cpor_date(d), &t)
	runtime.KeepAlive(tz)
	if err := check(rc); err != nil {
		return time.Time{}, err
	}
	return goTime(t), nil
}

// Offset returns the UTC offset in force at t (local = UTC + offset).
func (tz *TimeZone) Offset(t time.Time) (time.Duration, error) {
	if err := tz.use(); err != nil {
		return 0, err
	}
	defer tz.r.release()
	var s C.int32_t
	rc := C.cpor_tz_offset(tz.p, cTime(t), &s)
	runtime.KeepAlive(tz)
	if err := check(rc); err != nil {
		return 0, err
	}
	return time.Duration(s) * time.Second, nil
}
