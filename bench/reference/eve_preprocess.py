# PIL + numpy EVE preprocessing over a folder of images, one process, for bench/preprocess.ts: each file
# opened and converted as EVE does (Image.open(f).convert('RGB')), then test/fixtures/preprocess-reference's
# eve() (EVEv1 mm_utils.process_images restated in numpy). Prints one JSON object: seconds (the loop only,
# not interpreter start-up) and, per file, the sha256 of the float32 tensor bytes.
import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'preprocess-reference'))
from PIL import Image  # noqa: E402
from make_reference import eve  # noqa: E402

folder = sys.argv[1]
names = sorted(os.listdir(folder))
hashes = {}
t0 = time.perf_counter()
for name in names:
    with Image.open(os.path.join(folder, name)) as im:
        t, _, _ = eve(im.convert('RGB'))
    hashes[name] = hashlib.sha256(t.astype('<f4').tobytes()).hexdigest()
seconds = time.perf_counter() - t0
print(json.dumps({'seconds': seconds, 'images': len(names), 'sha256': hashes}))
