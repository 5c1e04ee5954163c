/* The same in every version: the current header. */
#include "../../../../include/cpor/calendar.h"
