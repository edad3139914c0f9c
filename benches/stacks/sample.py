# Loaded by gdb (benches/stacks/run.sh): runs the program and, at each
# SIGUSR2 the runner sends, writes every thread's stack as one line
# "S<n> outermost;...;innermost". gdb rather than perf: perf's sampling
# events deliver no samples on this project's VMs (see docs/PERFORMANCE.md).
import gdb
import os

out = open(os.environ["STACKS_OUT"], "w")
for setting in ("pagination off", "confirm off", "print thread-events off"):
    gdb.execute("set " + setting)
gdb.execute("handle SIGUSR2 stop print nopass")
gdb.execute("start", to_string=True)
with open(os.environ["STACKS_OUT"] + ".pid", "w") as f:
    f.write(str(gdb.selected_inferior().pid))
sample = 0
while True:
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error:
        break
    inferior = gdb.selected_inferior()
    if inferior.pid == 0 or not inferior.threads():
        break
    sample += 1
    for thread in inferior.threads():
        try:
            thread.switch()
            frame, names = gdb.newest_frame(), []
            while frame is not None and len(names) < 60:
                names.append(frame.name() or "??")
                frame = frame.older()
            out.write("S%d %s\n" % (sample, ";".join(reversed(names))))
        except gdb.error:
            out.write("S%d ??\n" % sample)
    out.flush()
