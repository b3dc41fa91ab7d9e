// librsvg draws SVG ExternalGraphics (markers from the styles folder) onto Cairo surfaces.
#include <librsvg/rsvg.h>

// g_object_unref through a plain function: Swift sees the GObject handle as an opaque pointer.
static inline void crsvg_unref(RsvgHandle *h) { g_object_unref(h); }
