/* The built-in workload catalog. Registered workloads live in the store; a
 * built-in code can never be registered again. */
#include <string.h>

#include "core/catalog.h"

#define M365(code, name)                                                                           \
  { code, name, CPOR_AREA_M365, 0, 0 }
#define BIZ(code, name, dyn)                                                                       \
  { code, name, CPOR_AREA_BIZAPPS, 1, dyn }

/* Sorted by code (bsearch). */
static const cpor__catalog_entry entries[] = {
    BIZ("COPILOT_STUDIO", "Microsoft Copilot Studio", 0),
    BIZ("D365_BUSINESS_CENTRAL", "Dynamics 365 Business Central", 1),
    BIZ("D365_COMMERCE", "Dynamics 365 Commerce", 1),
    BIZ("D365_CUSTOMER_INSIGHTS", "Dynamics 365 Customer Insights", 1),
    BIZ("D365_CUSTOMER_SERVICE", "Dynamics 365 Customer Service", 1),
    BIZ("D365_FIELD_SERVICE", "Dynamics 365 Field Service", 1),
    BIZ("D365_FINANCE", "Dynamics 365 Finance", 1),
    BIZ("D365_HUMAN_RESOURCES", "Dynamics 365 Human Resources", 1),
    BIZ("D365_SALES", "Dynamics 365 Sales", 1),
    BIZ("D365_SUPPLY_CHAIN", "Dynamics 365 Supply Chain Management", 1),
    M365("DEFENDER_ENDPOINT", "Microsoft Defender for Endpoint"),
    M365("DEFENDER_OFFICE365", "Microsoft Defender for Office 365"),
    M365("ENTRA_ID_P1", "Microsoft Entra ID P1"),
    M365("ENTRA_ID_P2", "Microsoft Entra ID P2"),
    M365("EXCHANGE", "Exchange Online"),
    M365("INTUNE", "Microsoft Intune"),
    M365("M365_APPS", "Microsoft 365 Apps"),
    M365("ONEDRIVE", "OneDrive for Business"),
    BIZ("POWER_APPS", "Power Apps", 0),
    BIZ("POWER_AUTOMATE", "Power Automate", 0),
    BIZ("POWER_BI_PRO", "Power BI Pro", 0),
    BIZ("POWER_PAGES", "Power Pages", 0),
    M365("SHAREPOINT", "SharePoint Online"),
    M365("TEAMS", "Microsoft Teams"),
    M365("VIVA", "Microsoft Viva"),
    M365("WINDOWS365", "Windows 365"),
};

size_t cpor__catalog_count(void) {
  return sizeof entries / sizeof entries[0];
}

const cpor__catalog_entry *cpor__catalog_at(size_t i) {
  return i < cpor__catalog_count() ? &entries[i] : NULL;
}

const cpor__catalog_entry *cpor__catalog_find(const char *code) {
  size_t lo = 0, hi = cpor__catalog_count();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(code, entries[mid].code);
    if (c == 0) return &entries[mid];
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return NULL;
}
