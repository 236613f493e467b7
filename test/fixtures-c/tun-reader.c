/*
 * tun-reader: a test reader for a multi-queue tun device.
 *
 *   tun-reader NAME [--print-each] [--all] [--idle]
 *
 * Attaches one queue to NAME with IFF_TUN|IFF_NO_PI|IFF_MULTI_QUEUE (creating
 * a non-persistent device if NAME is missing), prints "ready", then reads
 * packets and counts IPv4 UDP ones (every packet with --all). Prints
 * "count N" on SIGTERM/SIGINT and exits 0; with --print-each also after every
 * counted packet. --idle attaches the queue and never reads it: the buggy
 * KeepCarrier holder of systemd before PR 30504, used as a negative control.
 *
 * Build: gcc -O2 -Wall -o tun-reader tun-reader.c
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: tun-reader NAME [--print-each] [--all] [--idle]\n");
	return 2;
}

int main(int argc, char **argv)
{
	int print_each = 0, all = 0, idle = 0;
	unsigned long count = 0;
	struct ifreq ifr;
	sigset_t mask;
	int tfd = -1, sfd = -1, status = 1;
	unsigned char buf[65536];

	if (argc < 2 || strlen(argv[1]) == 0 || strlen(argv[1]) >= IFNAMSIZ)
		return usage();
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--print-each") == 0)
			print_each = 1;
		else if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else if (strcmp(argv[i], "--idle") == 0)
			idle = 1;
		else
			return usage();
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		perror("failed to block signals");
		goto out;
	}
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("failed to create signalfd");
		goto out;
	}
	tfd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (tfd < 0) {
		perror("failed to open /dev/net/tun");
		goto out;
	}
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, argv[1], strlen(argv[1]));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE;
	if (ioctl(tfd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "failed to attach '%s': %s\n", argv[1], strerror(errno));
		goto out;
	}
	printf("ready\n");
	fflush(stdout);

	for (;;) {
		struct pollfd p[2] = { { .fd = sfd, .events = POLLIN }, { .fd = tfd, .events = idle ? 0 : POLLIN } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("failed to poll");
			goto out;
		}
		if (p[0].revents & POLLIN)
			break;
		if (p[1].revents & POLLIN) {
			ssize_t n = read(tfd, buf, sizeof buf);
			if (n < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				fprintf(stderr, "failed to read '%s': %s\n", argv[1], strerror(errno));
				goto out;
			}
			/* IPv4 (version 4) carrying UDP (protocol 17) */
			if (all || (n >= 20 && (buf[0] >> 4) == 4 && buf[9] == 17)) {
				count++;
				if (print_each) {
					printf("count %lu\n", count);
					fflush(stdout);
				}
			}
		}
	}
	printf("count %lu\n", count);
	fflush(stdout);
	status = 0;
out:
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	return status;
}
