"""The fork server: a ``helmpy`` command run by a process that has already imported helmpy.

Most of a small command's time is the interpreter importing the ~250 modules it needs (``helmpy template`` of a
freshly created chart: ~65 of ~95 ms; Helm's whole run takes ~50 ms). The console script therefore first asks a
fork server - a helmpy process of the same interpreter, options, ``sys.path`` and start-up environment, with
the hot commands' modules imported - to run the command line. The server forks; the child takes the client's
standard streams (passed over a Unix socket), working directory, environment, umask and arguments, and runs
the same :func:`helmpy.cli.main.main` a fresh process would. The client forwards signals to it and exits with
its exit status (or dies by its signal). When the client dies, the child is killed at once, so ``kill -9`` of a
``helmpy`` process stops its work as it always did.

When no server answers, the console script runs the command itself, as before, and then starts a server in
the background for the next command; the server exits after :data:`helmpy.forkserver.identity.IDLE_SECONDS`
without a request, or as soon as one of the files it imported changes (a helmpy or library upgrade, an edited
checkout). ``HELMPY_FORKSERVER=0`` turns it off. Only the console script uses it (a library caller's process,
tests calling ``main(argv)``, never), only for the commands of :data:`helmpy.forkserver.client.COMMANDS`, and
only where it cannot change what the command does (docs/design.md lists the rules).

Modules: :mod:`~helmpy.forkserver.identity` (which server a process may use: the key and the socket's place),
:mod:`~helmpy.forkserver.wire` (the messages), :mod:`~helmpy.forkserver.client` (the console script's side),
:mod:`~helmpy.forkserver.server` (the accept loop) and :mod:`~helmpy.forkserver.worker` (one request: the
process that waits, and the one that runs the command).
"""
