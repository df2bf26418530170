/* For tests on one machine only: Janus 1.1.2 skips loopback interfaces when it gathers ICE
 * candidates, so with every peer on 127.0.0.1 ICE never completes. Loaded with LD_PRELOAD into
 * the Janus process (never a deployment's), this clears IFF_LOOPBACK in getifaddrs() results
 * so "lo" is gathered like any other interface. Build: cc -shared -fPIC -o shim.so this.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stddef.h>

int getifaddrs(struct ifaddrs **ifap) {
    int (*real)(struct ifaddrs **) = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
    int rc = real(ifap);
    if (rc == 0)
        for (struct ifaddrs *i = *ifap; i != NULL; i = i->ifa_next)
            i->ifa_flags &= ~IFF_LOOPBACK;
    return rc;
}
