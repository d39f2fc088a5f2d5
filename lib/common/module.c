/* Loading a module: NAME.so beside the program, else in MODULEDIR. */
#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "module.h"

/* dlopen dir/name.so: its handle; NULL with *found 0 when there is no
   such file, or with *found 1 and *why (dlerror's, which names the file)
   when it cannot be loaded. */
static void *
open_at(const char *dir, const char *name, int *found, const char **why)
{
	char path[PATH_MAX];
	void *h;

	*found = snprintf(path, sizeof path, "%s/%s.so", dir, name) < (int)sizeof path &&
	    access(path, F_OK) == 0;
	if (!*found)
		return NULL;
	if (!(h = dlopen(path, RTLD_NOW | RTLD_LOCAL)))
		*why = dlerror();
	return h;
}

const void *
module_load(const char *name, const char **why)
{
	static char missing[PATH_MAX + 64];
	char self[PATH_MAX], table[64], *slash;
	ssize_t n;
	int found = 0;
	void *h = NULL, *t;

	snprintf(missing, sizeof missing, "%s.so: not beside the program, nor in %s", name,
	    MODULEDIR);
	*why = missing;
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/'))) {
			*slash = '\0';
			h = open_at(self, name, &found, why);
		}
	}
	/* one beside the program is the one meant, even when it is broken */
	if (!h && (found || !(h = open_at(MODULEDIR, name, &found, why))))
		return NULL;
	snprintf(table, sizeof table, "%s_module", name);
	if (!(t = dlsym(h, table)))
		*why = dlerror();
	return t;
}
