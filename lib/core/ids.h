#ifndef CPOR_CORE_IDS_H
#define CPOR_CORE_IDS_H
/* A new random UUID in canonical lowercase form. */
void cpor__new_id(char out[37]);
#endif
