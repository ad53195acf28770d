BUG:
WARNING:
Kernel panic
KASAN
UBSAN
possible circular
inconsistent lock
suspicious RCU
detected stall
unreferenced object
soft lockup
hung_task
Call Trace
