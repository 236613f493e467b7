/*
 * floor-hold: the lower bound for tunform's keepCarrier apply (bench case 3)
 * and holder memory (case 6).
 *
 *   floor-hold NETNS_PATH PREFIX N
 *
 * Enters the network namespace at NETNS_PATH (/run/netns/NAME), then for
 * i in 0..N-1 opens /dev/net/tun, TUNSETIFF PREFIX<i> as a multi-queue tun
 * without packet info (creating it), and detaches that queue
 * (TUNSETQUEUE IFF_DETACH_QUEUE), keeping every fd. Prints "ready" and then
 * waits until stdin closes or it is killed (the devices vanish with it).
 *
 * Build: gcc -O2 -Wall -o floor-hold floor-hold.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: floor-hold NETNS_PATH PREFIX N\n");
		return 2;
	}
	long n = strtol(argv[3], NULL, 10);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	int nsfd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "failed to enter '%s': %s\n", argv[1], strerror(errno));
		return 1;
	}
	close(nsfd);
	for (long i = 0; i < n; i++) {
		struct ifreq ifr;
		int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			perror("failed to open /dev/net/tun");
			return 1;
		}
		char name[64];
		snprintf(name, sizeof name, "%s%ld", argv[2], i);
		if (strlen(name) >= IFNAMSIZ) {
			fprintf(stderr, "name too long: %s\n", name);
			return 1;
		}
		memset(&ifr, 0, sizeof ifr);
		memcpy(ifr.ifr_name, name, strlen(name));
		ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE;
		if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
			fprintf(stderr, "failed to create '%s': %s\n", ifr.ifr_name, strerror(errno));
			return 1;
		}
		memset(&ifr, 0, sizeof ifr);
		ifr.ifr_flags = IFF_DETACH_QUEUE;
		if (ioctl(fd, TUNSETQUEUE, &ifr) < 0) {
			fprintf(stderr, "failed to detach queue %ld: %s\n", i, strerror(errno));
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	char buf[64];
	while (read(0, buf, sizeof buf) > 0)
		;
	return 0;
}
