/*
 * tun-attach: attaches to a tun/tap device with exactly the flags asked for,
 * the way qemu (vnet headers) or tinc (packet info) do, and stays attached.
 *
 *   tun-attach NAME tun|tap [mq] [pi] [vnet]
 *
 * Without `pi` it sets IFF_NO_PI, as programs that do not want packet
 * information do. Prints "ready FLAGS" (what TUNGETIFF reports for this fd,
 * in hex) once attached, then waits for SIGTERM/SIGINT or EOF on stdin and
 * exits 0. Any failing call exits 1 with `failed to <verb> 'NAME': <strerror>`.
 *
 * Build: gcc -O2 -Wall -o tun-attach tun-attach.c
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

static int fail(const char *verb, const char *name)
{
	fprintf(stderr, "tun-attach: failed to %s '%s': %s\n", verb, name, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct ifreq ifr;
	struct pollfd pfd[2];
	sigset_t mask;
	int fd, sfd;
	char buf[64];

	if (argc < 3 || strlen(argv[1]) == 0 || strlen(argv[1]) >= IFNAMSIZ) {
		fprintf(stderr, "usage: tun-attach NAME tun|tap [mq] [pi] [vnet]\n");
		return 2;
	}
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, argv[1], strlen(argv[1]));
	if (strcmp(argv[2], "tun") == 0)
		ifr.ifr_flags = IFF_TUN;
	else if (strcmp(argv[2], "tap") == 0)
		ifr.ifr_flags = IFF_TAP;
	else
		return fprintf(stderr, "tun-attach: mode must be tun or tap\n"), 2;
	ifr.ifr_flags |= IFF_NO_PI;
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "mq") == 0)
			ifr.ifr_flags |= IFF_MULTI_QUEUE;
		else if (strcmp(argv[i], "pi") == 0)
			ifr.ifr_flags &= ~IFF_NO_PI;
		else if (strcmp(argv[i], "vnet") == 0)
			ifr.ifr_flags |= IFF_VNET_HDR;
		else
			return fprintf(stderr, "tun-attach: unknown flag '%s'\n", argv[i]), 2;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 || (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0)
		return fail("block signals for", argv[1]);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("open /dev/net/tun for", argv[1]);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return fail("attach to", argv[1]);
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return fail("read flags of", argv[1]);
	printf("ready %#x\n", (unsigned)(unsigned short)ifr.ifr_flags);
	fflush(stdout);

	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = STDIN_FILENO;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return fail("wait on", argv[1]);
		}
		if (pfd[0].revents)
			break;
		if (pfd[1].revents && read(STDIN_FILENO, buf, sizeof buf) <= 0)
			break;
	}
	close(fd);
	return 0;
}
