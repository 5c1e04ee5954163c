/* Compiled with -std=c99 -pedantic -Werror: the public headers must be clean. */
#include <cpor/cpor.h>

int main(void) { return cpor_strerror(CPOR_OK) == 0; }
