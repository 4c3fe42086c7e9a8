/* The C TCP ping-pong reference: plain blocking sockets, TCP_NODELAY, 32-byte
 * messages over loopback, the floor for a ping on an open stream.
 *   pingpong server          prints the port, echoes until the peer closes
 *   pingpong client PORT N   prints {"metric":"ping","median_us","p95_us",...} */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { msg_size = 32 };

static int full_io(int fd, char *buf, int n, int writing) {
  int done = 0;
  while (done < n) {
    ssize_t k = writing ? write(fd, buf + done, n - done) : read(fd, buf + done, n - done);
    if (k <= 0) return -1;
    done += (int)k;
  }
  return 0;
}

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  int one = 1;
  char buf[msg_size];
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (argc >= 2 && strcmp(argv[1], "server") == 0) {
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t len = sizeof sa;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) || listen(ls, 16)) return perror("listen"), 1;
    getsockname(ls, (struct sockaddr *)&sa, &len);
    printf("{\"port\":%d}\n", ntohs(sa.sin_port));
    fflush(stdout);
    for (;;) {
      int fd = accept(ls, NULL, NULL);
      if (fd < 0) return 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      while (full_io(fd, buf, msg_size, 0) == 0 && full_io(fd, buf, msg_size, 1) == 0) {
      }
      close(fd);
    }
  }
  if (argc >= 4 && strcmp(argv[1], "client") == 0) {
    int n = atoi(argv[3]), fd = socket(AF_INET, SOCK_STREAM, 0);
    double *rtt = malloc(sizeof(double) * (size_t)n), t0;
    sa.sin_port = htons((unsigned short)atoi(argv[2]));
    if (!rtt || connect(fd, (struct sockaddr *)&sa, sizeof sa)) return perror("connect"), 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    memset(buf, 7, sizeof buf);
    for (int i = 0; i < 100; ++i)
      if (full_io(fd, buf, msg_size, 1) || full_io(fd, buf, msg_size, 0)) return 1;
    t0 = now_us();
    for (int i = 0; i < n; ++i) {
      double s = now_us();
      if (full_io(fd, buf, msg_size, 1) || full_io(fd, buf, msg_size, 0)) return 1;
      rtt[i] = now_us() - s;
    }
    t0 = now_us() - t0;
    qsort(rtt, (size_t)n, sizeof(double), cmp);
    printf("{\"metric\":\"ping\",\"count\":%d,\"errors\":0,\"median_us\":%.2f,\"p95_us\":%.2f,\"per_second\":%.1f}\n", n,
           rtt[(n - 1) / 2], rtt[(int)(0.95 * (n - 1) + 0.5)], n / (t0 / 1e6));
    close(fd);
    return 0;
  }
  fprintf(stderr, "usage: pingpong server | pingpong client PORT COUNT\n");
  return 2;
}
