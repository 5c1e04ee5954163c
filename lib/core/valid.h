/* The validators live with the kernel (pure functions); the core reaches them
 * through this name too. */
#ifndef CPOR_CORE_VALID_H
#define CPOR_CORE_VALID_H

#include "rules/valid.h"

#endif
