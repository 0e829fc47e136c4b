"""Start llama.cpp's OpenAI-compatible server (through xllamacpp's prebuilt wheel) on a GGUF model.

Usage: serve.py MODEL.gguf PORT
Prints "listening <address>" once it accepts requests, and serves until SIGTERM.
"""
import signal
import sys
import threading

import xllamacpp as xlc

params = xlc.CommonParams()
params.model.path = sys.argv[1]
params.port = int(sys.argv[2])
params.n_ctx = 2048
params.n_parallel = 4
params.use_jinja = True
params.cpuparams.n_threads = 1
params.cpuparams_batch.n_threads = 1
server = xlc.Server(params)
print("listening", server.listening_address, flush=True)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
stop.wait()
