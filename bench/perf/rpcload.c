// One load client for the MCP and A2A rows of the benchmark, the same for our
// servers and the reference SDK servers (so both are measured identically).
// Plain C, one thread, epoll, keep-alive HTTP/1.1: it stays far from being the
// bottleneck and reports its own CPU time so that can be checked.
//
//   rpcload http --port P --path /mcp --proto mcp|a2a --count N --inflight K [--server-pid PID]
//     K connections, one request in flight on each (MCP: each connection first
//     opens its own session: initialize + notifications/initialized, untimed),
//     then N requests in all: MCP tools/call of test_simple_text, or A2A 1.0
//     SendMessage with a data part {tool: echo, arguments: {text}}.
//   rpcload stdio --count N [--server-pid-self] -- CMD ARGS...
//     starts CMD with pipes, initialize + notifications/initialized, then N
//     sequential tools/call as newline-delimited JSON-RPC.
// Prints one JSON line: count, seconds, per_second, median_us, p95_us,
// client_cpu_s, server_cpu_us_per_call (when the server's pid is known), errors.
// A response counts as an error unless it is HTTP 200 and carries "result".
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUF_CAP (1 << 20)

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double cpu_self_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// utime + stime of a process in seconds, from /proc/<pid>/stat (-1 if unknown).
static double cpu_of_pid(int pid) {
  if (pid <= 0) return -1;
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE* f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char* p = strrchr(buf, ')');  // the command name may contain spaces
  if (!p) return -1;
  unsigned long ut = 0, st = 0;
  // fields after ')': state(3) ... utime(14) stime(15)
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) return -1;
  return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

static void die(const char* what) {
  perror(what);
  exit(1);
}

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static void report(long count, double seconds, double* lat, long nlat, double client_cpu, double server_cpu,
                   long errors) {
  qsort(lat, nlat, sizeof *lat, cmp_double);
  double med = nlat ? lat[nlat / 2] : 0, p95 = nlat ? lat[(long)(nlat * 0.95)] : 0;
  printf("{\"count\": %ld, \"seconds\": %.6f, \"per_second\": %.1f, \"median_us\": %.1f, \"p95_us\": %.1f, "
         "\"client_cpu_s\": %.4f, \"client_cpu_us_per_call\": %.2f",
         count, seconds, count / seconds, med, p95, client_cpu, client_cpu * 1e6 / count);
  if (server_cpu >= 0) printf(", \"server_cpu_us_per_call\": %.2f", server_cpu * 1e6 / count);
  printf(", \"errors\": %ld}\n", errors);
}

// ---------------------------------------------------------------- HTTP
struct conn {
  int fd;
  char* buf;
  size_t len;
  double sent_at;
  char session[128];
};

static int g_port;
static const char* g_path = "/mcp";
static int g_a2a;
static long g_next_id = 1;

static const char* find_header(const char* head, size_t head_len, const char* name, size_t* vlen) {
  size_t nl = strlen(name);
  const char* p = head;
  const char* end = head + head_len;
  while (p < end) {
    const char* eol = memmem(p, end - p, "\r\n", 2);
    if (!eol) eol = end;
    if ((size_t)(eol - p) > nl + 1 && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
      const char* v = p + nl + 1;
      while (v < eol && *v == ' ') v++;
      *vlen = eol - v;
      return v;
    }
    p = eol + 2;
  }
  return NULL;
}

// Length of the complete response at the start of buf, 0 if incomplete, -1 if malformed.
static long http_complete(const char* buf, size_t len, int* status, int* has_result, struct conn* c) {
  const char* hend = memmem(buf, len, "\r\n\r\n", 4);
  if (!hend) return 0;
  size_t hl = hend - buf + 4;
  if (sscanf(buf, "HTTP/1.%*d %d", status) != 1) return -1;
  size_t vl;
  const char* v = find_header(buf, hl, "mcp-session-id", &vl);
  if (v && c && vl < sizeof c->session) {
    memcpy(c->session, v, vl);
    c->session[vl] = 0;
  }
  size_t total;
  if ((v = find_header(buf, hl, "content-length", &vl))) {
    total = hl + strtoul(v, NULL, 10);
    if (len < total) return 0;
  } else if ((v = find_header(buf, hl, "transfer-encoding", &vl)) && vl >= 7 && !strncasecmp(v, "chunked", 7)) {
    size_t p = hl;
    for (;;) {
      const char* e = memmem(buf + p, len - p, "\r\n", 2);
      if (!e) return 0;
      size_t sz = strtoul(buf + p, NULL, 16);
      p = e - buf + 2 + sz + 2;
      if (p > len) return 0;
      if (sz == 0) break;
    }
    total = p;
  } else if (*status == 202 || *status == 204) {
    total = hl;
  } else {
    return -1;  // close-delimited bodies are not used by either server
  }
  *has_result = memmem(buf + hl, total - hl, "\"result\"", 8) != NULL;
  return (long)total;
}

static int connect_to(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(g_port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) < 0) die("connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static void send_all(int fd, const char* p, size_t n) {
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {  // tiny requests: only under extreme pressure
        usleep(10);
        continue;
      }
      die("send");
    }
    p += w;
    n -= w;
  }
}

static void send_request(struct conn* c, const char* body) {
  char req[4096];
  int n = snprintf(req, sizeof req,
                   "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                   "Accept: application/json, text/event-stream\r\n%s%s%s%sContent-Length: %zu\r\n\r\n%s",
                   g_path, g_port, g_a2a ? "A2A-Version: 1.0\r\n" : "MCP-Protocol-Version: 2025-06-18\r\n",
                   c->session[0] ? "Mcp-Session-Id: " : "", c->session, c->session[0] ? "\r\n" : "", strlen(body),
                   body);
  c->sent_at = now_us();
  send_all(c->fd, req, n);
}

static void send_call(struct conn* c) {
  char body[1024];
  long id = g_next_id++;
  if (g_a2a)
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"SendMessage\",\"params\":{\"message\":{\"messageId\":"
             "\"bench-%d-%ld\",\"role\":\"ROLE_USER\",\"parts\":[{\"data\":{\"tool\":\"echo\",\"arguments\":"
             "{\"text\":\"hello\"}}}]}}}",
             id, (int)getpid(), id);
  else
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"test_simple_text\","
             "\"arguments\":{}}}",
             id);
  send_request(c, body);
}

// Blocking: read one whole response on c (used for the untimed session setup).
static int read_one(struct conn* c, int* status) {
  for (;;) {
    int has_result = 0;
    long n = http_complete(c->buf, c->len, status, &has_result, c);
    if (n < 0) return -1;
    if (n > 0) {
      memmove(c->buf, c->buf + n, c->len - n);
      c->len -= n;
      return has_result;
    }
    ssize_t r = recv(c->fd, c->buf + c->len, BUF_CAP - c->len, 0);
    if (r <= 0) return -1;
    c->len += r;
  }
}

static int run_http(long count, int inflight, int server_pid) {
  struct conn* cs = calloc(inflight, sizeof *cs);
  for (int i = 0; i < inflight; i++) {
    cs[i].fd = connect_to();
    cs[i].buf = malloc(BUF_CAP);
    if (!g_a2a) {
      int st;
      send_request(&cs[i],
                   "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                   "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"rpcload\",\"version\":\"1\"}}}");
      if (read_one(&cs[i], &st) != 1 || st != 200 || !cs[i].session[0]) {
        fprintf(stderr, "rpcload: initialize failed (status %d)\n", st);
        return 1;
      }
      send_request(&cs[i], "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
      if (read_one(&cs[i], &st) < 0 || st != 202) {
        fprintf(stderr, "rpcload: notifications/initialized got %d\n", st);
        return 1;
      }
    }
  }
  // Warm-up: a few calls per connection, untimed (JIT, caches).
  for (int w = 0; w < 20; w++)
    for (int i = 0; i < inflight; i++) {
      int st;
      send_call(&cs[i]);
      if (read_one(&cs[i], &st) != 1 || st != 200) {
        fprintf(stderr, "rpcload: warm-up call failed (status %d): %.300s\n", st, cs[i].buf);
        return 1;
      }
    }
  int ep = epoll_create1(0);
  for (int i = 0; i < inflight; i++) {
    fcntl(cs[i].fd, F_SETFL, fcntl(cs[i].fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
    epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
  }
  double* lat = malloc(sizeof(double) * count);
  long sent = 0, done = 0, errors = 0;
  double srv0 = cpu_of_pid(server_pid), cli0 = cpu_self_s(), t0 = now_us();
  for (int i = 0; i < inflight && sent < count; i++, sent++) send_call(&cs[i]);
  struct epoll_event evs[64];
  while (done < count) {
    int n = epoll_wait(ep, evs, 64, 30000);
    if (n == 0) {
      fprintf(stderr, "rpcload: no response for 30 s (%ld of %ld done)\n", done, count);
      return 1;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int k = 0; k < n; k++) {
      struct conn* c = evs[k].data.ptr;
      // One recv per readiness (level-triggered: anything left wakes us again);
      // a second recv only to see EAGAIN would cost a syscall per call.
      ssize_t r = recv(c->fd, c->buf + c->len, BUF_CAP - c->len, 0);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r <= 0) {
        fprintf(stderr, "rpcload: server closed a connection\n");
        return 1;
      }
      c->len += r;
      for (;;) {
        int st = 0, has_result = 0;
        long m = http_complete(c->buf, c->len, &st, &has_result, NULL);
        if (m < 0) {
          fprintf(stderr, "rpcload: malformed response\n");
          return 1;
        }
        if (m == 0) break;
        lat[done++] = now_us() - c->sent_at;
        if (st != 200 || !has_result) errors++;
        memmove(c->buf, c->buf + m, c->len - m);
        c->len -= m;
        if (sent < count) {
          send_call(c);
          sent++;
        }
      }
    }
  }
  double secs = (now_us() - t0) / 1e6, cli = cpu_self_s() - cli0;
  double srv1 = cpu_of_pid(server_pid);
  report(count, secs, lat, done, cli, srv0 < 0 || srv1 < 0 ? -1 : srv1 - srv0, errors);
  return 0;
}

// ---------------------------------------------------------------- stdio
static int run_stdio(long count, char** cmd) {
  int to[2], from[2];
  if (pipe(to) || pipe(from)) die("pipe");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    dup2(to[0], 0);
    dup2(from[1], 1);
    close(to[1]);
    close(from[0]);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 2);
    execvp(cmd[0], cmd);
    _exit(127);
  }
  close(to[0]);
  close(from[1]);
  FILE* in = fdopen(from[0], "r");
  char* line = NULL;
  size_t cap = 0;
  long errors = 0;
  // Sends one line; for a request (id >= 0) reads lines until its response.
  int ok = 1;
#define SEND(text)                                                 \
  do {                                                             \
    const char* t_ = (text);                                       \
    if (write(to[1], t_, strlen(t_)) < 0) die("write");            \
  } while (0)
  SEND("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
       "\"capabilities\":{},\"clientInfo\":{\"name\":\"rpcload\",\"version\":\"1\"}}}\n");
  if (getline(&line, &cap, in) <= 0 || !strstr(line, "\"result\"")) ok = 0;
  SEND("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n");
  if (!ok) {
    fprintf(stderr, "rpcload: initialize over stdio failed\n");
    return 1;
  }
  double* lat = malloc(sizeof(double) * count);
  char req[512], idpat[32];
  for (long i = -20; i < count; i++) {  // 20 untimed warm-up calls first
    long id = i + 100;
    snprintf(req, sizeof req,
             "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"test_simple_text\","
             "\"arguments\":{}}}\n",
             id);
    snprintf(idpat, sizeof idpat, "\"id\":%ld", id);
    static double srv0, cli0, t0;
    if (i == 0) {
      srv0 = cpu_of_pid(pid);
      cli0 = cpu_self_s();
      t0 = now_us();
    }
    double s = now_us();
    SEND(req);
    for (;;) {  // skip anything that is not this call's response (notifications)
      if (getline(&line, &cap, in) <= 0) {
        fprintf(stderr, "rpcload: server closed stdout\n");
        return 1;
      }
      if (strstr(line, idpat)) break;
    }
    if (i >= 0) {
      lat[i] = now_us() - s;
      if (!strstr(line, "\"result\"")) errors++;
    }
    if (i == count - 1) {
      double secs = (now_us() - t0) / 1e6, cli = cpu_self_s() - cli0, srv1 = cpu_of_pid(pid);
      report(count, secs, lat, count, cli, srv0 < 0 || srv1 < 0 ? -1 : srv1 - srv0, errors);
    }
  }
  close(to[1]);
  int st;
  for (int w = 0; w < 100 && waitpid(pid, &st, WNOHANG) == 0; w++) usleep(50000);
  if (waitpid(pid, &st, WNOHANG) == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2) {
  usage:
    fprintf(stderr,
            "usage: rpcload http --port P [--path /mcp] [--proto mcp|a2a] --count N --inflight K [--server-pid PID]\n"
            "       rpcload stdio --count N -- CMD ARGS...\n");
    return 2;
  }
  long count = 1000;
  int inflight = 16, server_pid = 0;
  char** cmd = NULL;
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--")) {
      cmd = argv + i + 1;
      break;
    }
    if (i + 1 >= argc) goto usage;
    if (!strcmp(argv[i], "--port")) g_port = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--path")) g_path = argv[++i];
    else if (!strcmp(argv[i], "--proto")) g_a2a = !strcmp(argv[++i], "a2a");
    else if (!strcmp(argv[i], "--count")) count = atol(argv[++i]);
    else if (!strcmp(argv[i], "--inflight")) inflight = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--server-pid")) server_pid = atoi(argv[++i]);
    else goto usage;
  }
  if (count <= 0 || inflight <= 0 || inflight > 1024) goto usage;
  if (!strcmp(argv[1], "http") && g_port) return run_http(count, inflight, server_pid);
  if (!strcmp(argv[1], "stdio") && cmd && *cmd) return run_stdio(count, cmd);
  goto usage;
}
