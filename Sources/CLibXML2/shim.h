/* Foundation ships its own ICU headers; Debian's libxml2 would pull the system ICU into the same
   translation unit and clash on clean builds. Drop the ICU part before including the rest. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>
static inline void cxml_free(void *p) { xmlFree(p); }
