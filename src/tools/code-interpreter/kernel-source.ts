/**
 * The Python kernel run inside each sandbox (`python3 -I -u -c KERNEL_SOURCE CONFIG_JSON`). Kept as
 * a string so it ships inside the build with no asset to locate at run time; it must not contain a
 * backtick or a dollar-brace.
 *
 * Protocol: the host writes one JSON request per line on the kernel's stdin, raw bytes following
 * when the request has a `size`; the kernel answers one JSON line per request on its original
 * stdout, followed by the raw bytes of each file the answer lists. `{"op":"interrupt"}` is read by
 * a thread and interrupts the running request at once. User code sees neither channel: fd 0 is
 * /dev/null and fds 1 and 2 are a memfd the kernel reads back as the call's logs.
 */
export const KERNEL_SOURCE = String.raw`
# Only what every call needs is imported up front (start-up time is the container's cold start);
# subprocess and traceback wait for the first shell call or exception.
import ast, importlib.machinery, json, linecache, os, queue, resource, signal, stat, sys, threading

CONFIG = json.loads(sys.argv[1])
DATA = CONFIG['data_dir']
PID = os.getpid()

# Hard limits equal to the soft ones (CPU: SIGXCPU first, SIGKILL a little later), so user code can
# lower them but never raise them back.
for name, value in CONFIG['rlimits'].items():
    hard = value + 5 if name == 'RLIMIT_CPU' else value
    resource.setrlimit(getattr(resource, name), (value, hard))

proto_in = os.fdopen(os.dup(0), 'rb')
proto_out = os.dup(1)
null = os.open('/dev/null', os.O_RDWR)
os.dup2(null, 0)
os.close(null)
LOGS = os.memfd_create('logs', 0)
os.dup2(LOGS, 1)
os.dup2(LOGS, 2)
os.chdir(DATA)

if CONFIG.get('font_cache'):
    # matplotlib wants a writable cache directory: the prebuilt font list is copied into one.
    cache = os.environ.get('MPLCONFIGDIR', '/tmp/.matplotlib')
    os.makedirs(cache, exist_ok=True)
    for name in os.listdir(CONFIG['font_cache']):
        with open(os.path.join(CONFIG['font_cache'], name), 'rb') as src:
            with open(os.path.join(cache, name), 'wb') as dst:
                dst.write(src.read())

def _in_child():
    # A forked child (os.fork, multiprocessing) must never speak the protocol.
    for fd in (proto_in.fileno(), proto_out):
        try:
            os.close(fd)
        except OSError:
            pass
os.register_at_fork(after_in_child=_in_child)

def send(header, paths=()):
    data = (json.dumps(header) + '\n').encode()
    while data:
        data = data[os.write(proto_out, data):]
    for path, size in paths:
        sent = 0
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            try:
                while sent < size:
                    n = os.sendfile(proto_out, fd, sent, size - sent)
                    if n == 0:
                        break
                    sent += n
            finally:
                os.close(fd)
        except OSError:
            pass
        # A file that shrank while being sent is padded: the host reads exactly the announced size.
        while sent < size:
            sent += os.write(proto_out, bytes(min(65536, size - sent)))

# --- matplotlib: a backend whose show() saves figures as files under the data directory
BACKEND = '''
from matplotlib.backends.backend_agg import FigureCanvasAgg as FigureCanvas
def show(*args, **kwargs):
    import __rgw_kernel__
    __rgw_kernel__.show_figures()
'''

class _Finder:
    def find_spec(self, name, path=None, target=None):
        if name in ('rgw_mpl_backend', '__rgw_kernel__'):
            return importlib.machinery.ModuleSpec(name, self)
        return None
    def create_module(self, spec):
        return None
    def exec_module(self, module):
        if module.__name__ == 'rgw_mpl_backend':
            exec(BACKEND, module.__dict__)
        else:
            module.show_figures = show_figures
sys.meta_path.insert(0, _Finder())

FIGURES = [0]
def show_figures():
    plt = sys.modules.get('matplotlib.pyplot')
    if plt is None:
        return
    for num in plt.get_fignums():
        FIGURES[0] += 1
        path = os.path.join(DATA, 'figure_%d.png' % FIGURES[0])
        while os.path.lexists(path):
            FIGURES[0] += 1
            path = os.path.join(DATA, 'figure_%d.png' % FIGURES[0])
        try:
            plt.figure(num).savefig(path)
        except Exception as error:
            print('could not save figure: %r' % error, file=sys.stderr)
    plt.close('all')

# --- files under the data directory, to tell the host what a call changed
def scan():
    found = {}
    for root, dirs, files in os.walk(DATA):
        for name in files:
            path = os.path.join(root, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                found[path] = (st.st_size, st.st_mtime_ns, st.st_ino)
            if len(found) >= CONFIG['max_files']:
                return found
    return found

SNAPSHOT = scan()

def changes():
    global SNAPSHOT
    now = scan()
    changed = [(p, now[p][0]) for p in sorted(now) if SNAPSHOT.get(p) != now[p]]
    deleted = [p for p in SNAPSHOT if p not in now]
    SNAPSHOT = now
    files, blobs, skipped = [], [], []
    for path, size in changed:
        if size > CONFIG['max_sync_bytes']:
            skipped.append(path)
            continue
        files.append({'path': path, 'size': size})
        blobs.append((path, size))
    return {'files': files, 'deleted': deleted, 'skipped': skipped}, blobs

# --- logs
def take_logs():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    size = os.fstat(LOGS).st_size
    text = os.pread(LOGS, CONFIG['max_log_bytes'], 0).decode('utf-8', 'replace')
    os.ftruncate(LOGS, 0)
    os.lseek(LOGS, 0, os.SEEK_SET)
    return text, size > CONFIG['max_log_bytes']

# --- running code
GLOBALS = {'__name__': '__main__', '__builtins__': __builtins__}
STATE = {'busy': False, 'interrupted': False, 'cell': 0, 'child': None, 'queued': None}
# Calls interrupted before they began: the reader saw the interrupt while the call still waited.
CANCELLED = set()
# Orders the reader's "is a call running?" against the main thread starting one.
LOCK = threading.Lock()
MAIN = threading.main_thread().ident

def user_frames(tb):
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith('<cell'):
        tb = tb.tb_next
    return tb

def run_python(code):
    STATE['cell'] += 1
    filename = '<cell %d>' % STATE['cell']
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    error = None
    try:
        tree = ast.parse(code, filename, 'exec')
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, 'exec'), GLOBALS)
        if last is not None:
            value = eval(compile(last, filename, 'eval'), GLOBALS)
            if value is not None:
                GLOBALS['_'] = value
                print(repr(value))
        if 'matplotlib.pyplot' in sys.modules:
            show_figures()
    except BaseException as caught:
        if os.getpid() != PID:
            os._exit(1)
        import traceback
        error = {'name': type(caught).__name__, 'message': str(caught)}
        if isinstance(caught, SyntaxError):
            lines = traceback.format_exception_only(type(caught), caught)
        else:
            lines = traceback.format_exception(type(caught), caught, user_frames(caught.__traceback__))
        try:
            sys.stderr.write(''.join(lines))
        except Exception:
            pass
    if os.getpid() != PID:
        os._exit(0)
    return error

def run_shell(commands, timeout_ms):
    import subprocess
    results = []
    for command in commands:
        out = os.memfd_create('out', 0)
        err = os.memfd_create('err', 0)
        outcome = None
        try:
            child = subprocess.Popen(['/bin/sh', '-c', command], stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=err, cwd=DATA, start_new_session=True)
            STATE['child'] = child
            try:
                code = child.wait(timeout=None if timeout_ms is None else timeout_ms / 1000)
                outcome = {'type': 'exit', 'exit_code': code if code >= 0 else 128 - code}
            except subprocess.TimeoutExpired:
                outcome = {'type': 'timeout'}
            finally:
                STATE['child'] = None
                try:
                    os.killpg(child.pid, signal.SIGKILL)
                except OSError:
                    pass
                child.wait()
        except OSError as error:
            os.write(err, ('%s\n' % error).encode())
            outcome = {'type': 'exit', 'exit_code': 127}
        limit = CONFIG['max_log_bytes']
        results.append({
            'stdout': os.pread(out, limit, 0).decode('utf-8', 'replace'),
            'stderr': os.pread(err, limit, 0).decode('utf-8', 'replace'),
            'outcome': outcome,
        })
        os.close(out)
        os.close(err)
        if STATE['interrupted']:
            break
    return results

def stop_strays():
    # No process outlives the call that started it: a fork bomb's survivors would otherwise keep
    # the process limit spent and the CPU busy. Waits (up to 2 s) until they are gone, not merely
    # signalled: a killed process counts against the limit until it is reaped, and the next call
    # must be able to fork.
    for _ in range(200):
        strays = [int(entry) for entry in os.listdir('/proc') if entry.isdigit() and int(entry) not in (1, PID)]
        if not strays:
            return
        for stray in strays:
            try:
                os.kill(stray, signal.SIGKILL)
            except OSError:
                pass
        reap_zombies()
        threading.Event().wait(0.01)

def reap_zombies():
    # Children the code forked and left (a fork bomb's) stay zombies of the kernel and keep
    # counting against its process limit until reaped; processes it still runs are left alone.
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if fields[0] == 'Z' and int(fields[1]) == PID:
            try:
                os.waitpid(int(entry), os.WNOHANG)
            except OSError:
                pass

def put(message, payload):
    path = message['path']
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.islink(path) or os.path.isdir(path):
        raise OSError('not a regular file: ' + path)
    with open(path, 'wb') as handle:
        handle.write(payload or b'')
    st = os.lstat(path)
    SNAPSHOT[path] = (st.st_size, st.st_mtime_ns, st.st_ino)

def handle(message, payload):
    op = message['op']
    reply = {'id': message['id']}
    if op in ('exec', 'shell'):
        try:
            # Inside the try: an interrupt that lands as soon as the call counts as running is its.
            with LOCK:
                cancelled = message['id'] in CANCELLED
                CANCELLED.discard(message['id'])
                STATE['interrupted'] = cancelled
                if not cancelled:
                    signal.signal(signal.SIGINT, signal.default_int_handler)
                    STATE['busy'] = True
            if cancelled:
                raise KeyboardInterrupt
            if op == 'exec':
                reply['error'] = run_python(message['code'])
            else:
                reply['results'] = run_shell(message['commands'], message.get('timeout_ms'))
        except KeyboardInterrupt:
            reply['error'] = {'name': 'KeyboardInterrupt', 'message': ''}
        finally:
            # From here on a late interrupt must not land inside the kernel's own answer.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            with LOCK:
                STATE['busy'] = False
                if STATE['queued'] == message['id']:
                    STATE['queued'] = None
        reply['interrupted'] = STATE['interrupted']
        stop_strays()
        reap_zombies()
        reply['logs'], reply['logs_truncated'] = take_logs()
        sync, blobs = changes()
        reply.update(sync)
        send(reply, blobs)
        return
    try:
        if op == 'put':
            put(message, payload)
        elif op == 'remove':
            path = message['path']
            if os.path.lexists(path) and not os.path.isdir(path):
                os.unlink(path)
            SNAPSHOT.pop(path, None)
        elif op == 'preload':
            for name in message['modules']:
                try:
                    __import__(name)
                except Exception:
                    pass
            take_logs()
        reply['ok'] = True
    except Exception as error:
        reply['ok'] = False
        reply['message'] = str(error)
    send(reply)

REQUESTS = queue.Queue()

def read_requests():
    while True:
        line = proto_in.readline()
        if not line:
            os._exit(0)
        message = json.loads(line)
        if message.get('op') == 'interrupt':
            with LOCK:
                if STATE['busy']:
                    STATE['interrupted'] = True
                    child = STATE['child']
                    if child is not None:
                        try:
                            os.killpg(child.pid, signal.SIGKILL)
                        except OSError:
                            pass
                    signal.pthread_kill(MAIN, signal.SIGINT)
                elif STATE['queued'] is not None:
                    # The call was sent but has not begun: it stops as soon as it would.
                    CANCELLED.add(STATE['queued'])
            continue
        size = message.get('size') or 0
        payload = proto_in.read(size) if size else None
        if message.get('op') in ('exec', 'shell'):
            with LOCK:
                STATE['queued'] = message['id']
        REQUESTS.put((message, payload))

signal.signal(signal.SIGINT, signal.SIG_IGN)
threading.Thread(target=read_requests, daemon=True).start()
send({'ready': True})
while True:
    message, payload = REQUESTS.get()
    try:
        handle(message, payload)
    except KeyboardInterrupt:
        # An interrupt that landed between requests: nothing to stop.
        pass
`;
