// The floor for a sequential stdio round trip: reads newline-delimited
// JSON-RPC on stdin and answers each request (a line with an "id") with a
// fixed MCP tool result, without parsing JSON. What any stdio server pays
// for the pipe round trip and the wake-ups, and nothing else.
//   pipe_echo            (run by rpcload stdio -- pipe_echo)
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  char* line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, stdin) > 0) {
    const char* id = strstr(line, "\"id\":");
    if (!id) continue;  // a notification
    long n = strtol(id + 5, NULL, 10);
    char out[256];
    int len = snprintf(out, sizeof out,
                       "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
                       "\"This is a simple text response for testing.\"}]}}\n",
                       n);
    for (int off = 0; off < len;) {
      ssize_t w = write(STDOUT_FILENO, out + off, (size_t)(len - off));
      if (w <= 0) return 1;
      off += (int)w;
    }
  }
  free(line);
  return 0;
}
