/* Built-in calendars, written in the rule language so they read like the
 * text a user would write, and so the parser is exercised by every user of
 * them. */
#include <string.h>

#include "internal.h"

static const char weekends[] = "name weekends\n"
                               "weekend sat sun\n";

/* US federal holidays, 5 U.S.C. 6103, with the observance OPM applies: a
 * holiday on a Saturday is observed on the Friday before, on a Sunday on the
 * Monday after (so New Year's Day 2022 is observed on 2021-12-31).
 * Inauguration Day (DC area only, every four years) is left out.
 *
 * History is approximated, not researched day by day: the Uniform Monday
 * Holiday Act dates hold from 1971 (Veterans Day on the 4th Monday of October
 * from 1971 to 1977); before 1971 Washington's Birthday, Memorial Day,
 * Columbus Day and Veterans Day are on their fixed dates (22 February,
 * 30 May, 12 October, 11 November) with the same observance; every holiday
 * but Martin Luther King Jr. Day (from 1986) and Juneteenth (from 2021) is
 * applied to every year back to 0001, and Thanksgiving is always the 4th
 * Thursday of November. */
static const char us_federal[] =
    "name us-federal\n"
    "weekend sat sun\n"
    "fixed 01-01 observe=nearest \"New Year's Day\"\n"
    "from 1986 nth 01 mon 3 \"Birthday of Martin Luther King, Jr.\"\n"
    "until 1970 fixed 02-22 observe=nearest \"Washington's Birthday\"\n"
    "from 1971 nth 02 mon 3 \"Washington's Birthday\"\n"
    "until 1970 fixed 05-30 observe=nearest \"Memorial Day\"\n"
    "from 1971 nth 05 mon -1 \"Memorial Day\"\n"
    "from 2021 fixed 06-19 observe=nearest \"Juneteenth National Independence Day\"\n"
    "fixed 07-04 observe=nearest \"Independence Day\"\n"
    "nth 09 mon 1 \"Labor Day\"\n"
    "until 1970 fixed 10-12 observe=nearest \"Columbus Day\"\n"
    "from 1971 nth 10 mon 2 \"Columbus Day\"\n"
    "until 1970 fixed 11-11 observe=nearest \"Veterans Day\"\n"
    "from 1971 until 1977 nth 10 mon 4 \"Veterans Day\"\n"
    "from 1978 fixed 11-11 observe=nearest \"Veterans Day\"\n"
    "nth 11 thu 4 \"Thanksgiving Day\"\n"
    "fixed 12-25 observe=nearest \"Christmas Day\"\n";

int cpor_calendar_builtin(const char *name, cpor_calendar **out) {
  static const struct {
    const char *name, *text;
  } table[] = {{"weekends", weekends}, {"us-federal", us_federal}};
  if (!out) return CPOR_EINVAL;
  *out = NULL;
  if (!name) return CPOR_EINVAL;
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(name, table[i].name) == 0) return cpor_calendar_parse(table[i].text, out, NULL, 0);
  return CPOR_ENOTFOUND;
}
