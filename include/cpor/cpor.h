/* libcpor — Claiming Partner of Record (CPOR) customer associations.
 * The umbrella header: includes every public header. */
#ifndef CPOR_CPOR_H
#define CPOR_CPOR_H

#include "common.h"
#include "calendar.h"
#include "model.h"
#include "context.h"
#include "postgres.h"
#include "feed.h"
#include "transfer.h"

#endif /* CPOR_CPOR_H */
