/* monitor-internal.h - the names the monitor and its clients share. */
#ifndef BERTH_MONITOR_INTERNAL_H
#define BERTH_MONITOR_INTERNAL_H

/* In state_dir (the monitor's cwd). */
#define MONITOR_SOCK          "monitor.sock"
#define MONITOR_PID_FILE      "monitor.pid"
#define MONITOR_EXIT_FILE     "exit"
#define MONITOR_CONTAINER_PID "container.pid"
#define MONITOR_CONSOLE_SOCK  "console.sock"

#endif
