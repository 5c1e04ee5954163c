package cpor

// #include <stdlib.h>
// #include <cpor/cpor.h>
import "C"

import (
	"fmt"
	"time"
	"unsafe"
)

// Date is a civil date: days since 1970-01-01, proleptic Gregorian (the
// library's cpor_date). The library supports years 1 to 9999.
type Date int32

const secondsPerDay = 24 * 60 * 60

// NewDate returns the date year-month-day: ErrInvalid for an impossible date
// (2026-02-30), ErrRange for a year outside 1..9999.
func NewDate(year int, month time.Month, day int) (Date, error) {
	var d C.cpor_date
	if err := check(C.cpor_date_from_ymd(C.int32_t(year), C.int32_t(month), C.int32_t(day), &d)); err != nil {
		return 0, err
	}
	return Date(d), nil
}

// MustDate is NewDate that panics on error, for constants in tests and examples.
func MustDate(year int, month time.Month, day int) Date {
	d, err := NewDate(year, month, day)
	if err != nil {
		panic(err)
	}
	return d
}

// ParseDate parses exactly "YYYY-MM-DD".
func ParseDate(s string) (_ Date, err error) {
	defer catchArg(&err)
	cs := cstring(s)
	defer C.free(unsafe.Pointer(cs))
	var d C.cpor_date
	if err := check(C.cpor_date_parse(cs, &d)); err != nil {
		return 0, err
	}
	return Date(d), nil
}

// DateOf returns the civil date of t in t's own location (use
// TimeZone.LocalDate for a POSIX TZ rule).
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay)
}

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time {
	return time.Unix(int64(d)*secondsPerDay, 0).UTC()
}

// YMD returns the year, month and day of d.
func (d Date) YMD() (year int, month time.Month, day int) {
	return d.Time().Date()
}

// Weekday returns d's day of the week.
func (d Date) Weekday() time.Weekday {
	return d.Time().Weekday()
}

// String formats d as "YYYY-MM-DD".
func (d Date) String() string {
	y, m, dd := d.YMD()
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}
