// The public headers must compile (and link) as C++.
#include <cpor/cpor.h>

int main() { return cpor_strerror(CPOR_OK) == nullptr; }
