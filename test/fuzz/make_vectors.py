#!/usr/bin/env python3
"""Differential fuzz vectors: the official scorers' normalizers and extractors run on hostile strings.

Every expected value in test/fuzz/vectors.jsonl.gz is computed here by the OFFICIAL code, loaded from the
paths given on the command line (none of that code is committed to eve-eval). eve-eval must reproduce every
vector (test/fuzz/fuzz.test.ts). The hostile strings come from a seeded generator, so a rerun with the same
official files, seed and interpreter writes the same file.

    python3 test/fuzz/make_vectors.py \\
        --vqa       PATH/GT-Vision-Lab/VQA                   # PythonEvaluationTools/vqaEvaluation/vqaEval.py (Python 2)
        --llava     PATH/haotian-liu/LLaVA                   # llava/eval/{m4c_evaluator,eval_textvqa,eval_pope,eval_science_qa}.py, scripts/convert_gqa_for_eval.py
        --vizwiz    PATH/vqaEval.py                          # the vizwiz.org VQA scorer (class VQAEval, Qing Li)
        --mme       PATH/eval_tool                           # MME eval_tool/calculation.py
        --mmbench   PATH/opencompass/tools/eval_mmbench.py   # the original MMBench evaluator
        --scienceqa PATH/lupantech/ScienceQA                 # tools/evaluate_acc.py
        --gqa       PATH/eval.py                             # GQA eval.py (LLaVA's testdev edits), for the scenarios
        [--commit NAME=SHA ...] [--count 100000] [--seed 15] [--out test/fuzz/vectors.jsonl.gz]

Each PATH may be a git checkout (its HEAD commit is recorded) or a plain copy (pass --commit vqa=SHA etc.).
Needs only the standard library and numpy (np.round vectors); the ScienceQA scenario additionally runs the
official evaluate_acc.py, which needs pandas (skipped with a note when pandas is missing).

Run it with the interpreter whose Unicode tables benchmarks/shared/py-unicode.ts was generated from
(make_unicode_tables.py): the vectors record unicodedata.unidata_version and the test checks it.
"""
import argparse
import ast
import contextlib
import gzip
import hashlib
import io
import json
import os
import random
import re
import string
import subprocess
import sys
import tempfile
import types
import unicodedata
import warnings

FORMAT = 'eve-eval-fuzz@1'
# textvqa.prompt_processor: even rows wrap the string as LLaVA's TextVQA prompt, odd rows use it bare.
TEXTVQA_SUFFIX = '\nReference OCR token: A, B\nAnswer the question using a single word or phrase.'

# ---------------------------------------------------------------------------------------------------------
# Provenance


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def git_commit(path):
    d = path if os.path.isdir(path) else os.path.dirname(path)
    try:
        out = subprocess.run(['git', '-C', d, 'rev-parse', 'HEAD'], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except Exception:
        return None


def source(args, name, repo, root, rel, shown=None):
    """{repo, path, commit, sha256} of one official file: `rel` inside checkout `root` (or `root` itself when
    rel is None); `shown` is the path to record when it differs (a file inside an archive)."""
    path = os.path.join(root, rel) if rel else root
    commit = args.commits.get(name) or git_commit(root) or ('none' if name == 'vizwiz' else 'unknown')
    return {'repo': repo, 'path': shown or rel or os.path.basename(root), 'commit': commit, 'sha256': sha256(path)}


# ---------------------------------------------------------------------------------------------------------
# Loading the official code (imported from the given paths; nothing of it is copied into the output)


def exec_nodes(path, wanted, prelude=''):
    """Compile only the top-level classes/functions named in `wanted` from the file at `path`, in a fresh
    namespace (so its heavy imports — sklearn, pandas, openai — are not needed)."""
    src = open(path, encoding='utf-8').read()
    tree = ast.parse(src, filename=path)
    body = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name in wanted]
    missing = set(wanted) - {n.name for n in body}
    if missing:
        raise SystemExit(f'{path}: no {sorted(missing)}')
    ns = {}
    exec(prelude, ns)
    exec(compile(ast.Module(body=body, type_ignores=[]), path, 'exec'), ns)
    return ns


class _NoQuestions:
    def getQuesIds(self):
        return []

    def getImgs(self):
        return []


def load_vqa(root):
    """GT-Vision-Lab vqaEval.py is Python 2 (print statements): run lib2to3 on it in memory, then import."""
    rel = 'PythonEvaluationTools/vqaEvaluation/vqaEval.py'
    path = os.path.join(root, rel)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        from lib2to3 import refactor
    tool = refactor.RefactoringTool(refactor.get_fixers_from_package('lib2to3.fixes'))
    py3 = str(tool.refactor_string(open(path, encoding='utf-8').read(), path))
    ns = {}
    exec(compile(py3, path, 'exec'), ns)
    return ns['VQAEval'](_NoQuestions(), _NoQuestions()), rel


def fake_package(name, directory):
    mod = types.ModuleType(name)
    mod.__path__ = [directory]
    sys.modules[name] = mod


def stub_tqdm():
    """tqdm only draws progress bars in the official files; a pass-through stands in when it is not installed."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        mod = types.ModuleType('tqdm')
        mod.tqdm = lambda it=None, *a, **k: it
        sys.modules['tqdm'] = mod


def load_llava(root):
    """llava.eval.* without llava/__init__.py (which loads torch and the model code)."""
    stub_tqdm()
    fake_package('llava', os.path.join(root, 'llava'))
    fake_package('llava.eval', os.path.join(root, 'llava', 'eval'))
    import importlib
    m4c = importlib.import_module('llava.eval.m4c_evaluator')
    textvqa = importlib.import_module('llava.eval.eval_textvqa')
    pope = importlib.import_module('llava.eval.eval_pope')
    sqa_extract, options = load_sqa_rule(os.path.join(root, 'llava/eval/eval_science_qa.py'))
    return types.SimpleNamespace(m4c=m4c, textvqa=textvqa, pope=pope, sqa_extract=sqa_extract, sqa_options=options)


def load_sqa_rule(path):
    """eval_science_qa.py's letter rule is inline in its __main__ loop: take that `if pred_text in args.options`
    statement and the --options default out of the file, and run them as a function."""
    tree = ast.parse(open(path, encoding='utf-8').read(), filename=path)
    rule = options = None
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and isinstance(node.test.left, ast.Name) \
                and node.test.left.id == 'pred_text' and isinstance(node.test.ops[0], ast.In):
            rule = node
        if isinstance(node, ast.Call) and getattr(node.func, 'attr', None) == 'add_argument' and node.args \
                and isinstance(node.args[0], ast.Constant) and node.args[0].value == '--options':
            options = ast.literal_eval(next(k.value for k in node.keywords if k.arg == 'default'))
    if rule is None or options is None:
        raise SystemExit(f'{path}: letter rule or --options default not found')
    fn = ast.FunctionDef(
        name='extract', args=ast.arguments(posonlyargs=[], args=[ast.arg('pred_text'), ast.arg('args')], kwonlyargs=[],
                                           kw_defaults=[], defaults=[]),
        body=[rule, ast.Return(ast.Name('answer', ast.Load()))], decorator_list=[], lineno=1)
    mod = ast.fix_missing_locations(ast.Module(body=[fn], type_ignores=[]))
    ns = {'re': re}
    exec(compile(mod, path, 'exec'), ns)
    args = types.SimpleNamespace(options=options)
    return (lambda s: ns['extract'](s, args)), options


def load_vizwiz(path):
    src = open(path, encoding='utf-8').read()
    tree = ast.parse(src, filename=path)
    name = next(n.name for n in tree.body if isinstance(n, ast.ClassDef)
                and any(isinstance(f, ast.FunctionDef) and f.name == 'processPunctuation' for f in n.body))
    ns = exec_nodes(path, [name], 'import re, sys\n')
    return ns[name], ns


def load_mme(root):
    ns = exec_nodes(os.path.join(root, 'calculation.py'), ['calculate_metrics'], 'import os\n')
    return ns['calculate_metrics']()


def load_mmbench(path):
    ns = exec_nodes(path, ['double_log', 'can_infer_option', 'can_infer_text', 'can_infer'], 'import string\nfout = None\n')
    return ns


def load_sqa_grades(root):
    """evaluate_acc.py's two grade lists, read from its get_scores() (the columns are pandas `isin` on them)."""
    path = os.path.join(root, 'tools/evaluate_acc.py')
    tree = ast.parse(open(path, encoding='utf-8').read(), filename=path)
    lists = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and k.value in ('acc_grade_1_6', 'acc_grade_7_12'):
                    lists[k.value] = ast.literal_eval(v.args[2])
    if len(lists) != 2:
        raise SystemExit(f'{path}: grade lists not found')
    return lists['acc_grade_1_6'], lists['acc_grade_7_12']


# ---------------------------------------------------------------------------------------------------------
# Hostile strings (seeded)

PY_SPACES = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000 and chr(c).isspace()]
LOOKALIKE_SPACES = ['\u200b', '\ufeff', '\u180e', '\u2060', '\u00ad', '\u034f', '\u2800', '\u3164']
DIGITS_ANY = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000 and unicodedata.category(chr(c)) == 'Nd']
# digits and numerals that are NOT \d for Python (other numerics), and code points Python's Unicode does
# not know but newer ones do (Kawi, Nag Mundari, Garay, Outlined digits): eve-eval must follow the interpreter.
NUMERIC_OTHER = list('²³¹¼½¾⅓⅔Ⅰ Ⅱ Ⅻ ⅰ ⅻ ① ⑩ ⓪ 〇 一 二 三 十 百 ፩ ፲ 𝟘'.replace(' ', '')) + ['\U00011F50', '\U0001E4F0', '\U00010D40', '\U0001CCF0', '\U00016D70']
PUNCT_VQA = [';', '/', '[', ']', '"', '{', '}', '(', ')', '=', '+', '\\', '_', '-', '>', '<', '@', '`', ',', '?', '!']
PUNCT_OTHER = list(".'':*#$%&^~|") + ['’', '‘', '“', '”', '…', '·', '‧', '。', '，', '？', '！', '．', '﹒', '․', 'ʼ', '′', '´']
CASE_HARD = [
    'İ', 'I', 'ı', 'i̇', 'ẞ', 'ß', 'ǅ', 'ǈ', 'ǋ', 'ǲ', 'Σ', 'σ', 'ς', 'ΑΣ', 'ΑΣΑ', 'Σ.', 'ΑΣ\u0301', 'ΑΣ\u0345',
    'Ω', 'Ω', 'K', 'Å', 'ﬀ', 'ﬁ', 'ŉ', 'ǰ', 'Ꭰ', 'ꭰ', 'Ა', 'ა', 'Ꮳ', '𐐀', '𐐨', '𞤀', '𐒰', '𑢠', '𖹀',
    '𐕰', 'Ꟑ', 'Ꞇ', 'Ᲊ', 'ᲊ', 'Ꟍ', 'Ɤ', 'Ꟛ', '\U00010D50', '\U00016EA0', 'Ⓐ', 'ⓐ', 'Ｙｅｓ', 'ＮＯ', 'Ａ',
    'Ǆ', 'ǆ', 'ÿ', 'Ÿ', 'Ĳ', 'ĳ', 'Ǳ', 'ǳ', 'ᾈ', 'ᾀ', 'ᾼ', 'Ὰ', 'Ι', 'ͅ', '\u0307', '\u0301', '\u200d', "'", '.',
]
PROTO = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable',
         'toLocaleString', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__', 'prototype',
         'length', 'name', 'call', 'apply', 'bind', 'then', 'Constructor', 'CONSTRUCTOR', '__PROTO__', 'proto', '__proto']
WORDS = ['none', 'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven',
         'None', 'ZERO', 'One', 'TWO', 'a', 'an', 'the', 'A', 'An', 'The', 'THE', 'yes', 'no', 'Yes', 'No', 'YES', 'NO',
         'not', 'Not', 'nope', 'none', 'y', 'n', 'sure', 'maybe', 'unanswerable', 'Unanswerable', 'dog', 'cat', 'red',
         'blue', "man's", "it's", "'s", 'dont', 'cant', 'Im', 'Ive', "I'dve", "let's", 'lets', 'youre', 'yall',
         'whats', 'wont', 'somebody\'d', "ow's'at", 'twas', "don't", 'don’t', 'hadn\'tve', "couldn'tve", 'couldnt’ve',
         'let’s', 'she’s', 'we’dve', 'oclock', 'answer', 'The answer is', 'option', 'correct', 'stop', 'left', 'right']
LETTER_TOKENS = ['A', 'B', 'C', 'D', 'E', 'F', 'Z', 'a', 'b', '(A)', '(B)', '(C).', 'A.', 'B.', 'C,', 'D:', 'E)', 'A).',
                 ':A', ':B,', ':C.', ':D)', ':E).', '[A]', 'A:', 'B.C', 'AB', 'A-', '*A*', '**B**', 'Ａ', 'А', 'Α']
SQA_PATTERNS = ['The answer is A.', 'The answer is B', 'The answer is C\n', 'The answer is D\r', 'The answer is E ',
                'The answer is Z.', 'The answer is a.', 'The answer is BB', 'the answer is B.', 'A. dog', 'B.dog',
                'C.  x', 'E. ', 'F. fish', 'A.\u00a0x', 'The answer is (A).', 'The answer is A. The answer is B.']
YESNO = ['Yes', 'No', 'yes', 'no', 'Yes.', 'No.', 'No,', 'no,', 'Yes,', 'NO', 'Nope', 'None', 'nO', 'yEs', 'Not sure',
         'There is no', 'there is not a dog.', 'No\nthere is', 'No\tthere', 'y', 'Y', 'n', 'Sure, yes', 'yes\n',
         'Yes\u00a0it', 'İyes', 'ẞno', '😀yes', '😀no', 'ye\u0301s', 'yes!', '"yes"', 'no.no.no', 'Yes. No.',
         'Yes, there is no', 'no-one', 'not', 'Not.', ' no', 'No ', 'nono', 'yesno', 'noyes', 'YesNo']
NUMBERS = ['1.5', '1.５', '٣.٥', '3.', '.5', '1.2.3.4', '....', '...', '.', '1,000', '1,000,000', '١,٢', '1 , 2',
           '100,978', '2:50', '3.14.', '3..14', '0.5.', '2.0', '10', '1e5', '1.', '5.00', '١٢٣', '१२३', '௧௨', '١.',
           '٫', '1٫5', '3.٣', '.٣', '٣.', '1.𝟘', '1.\U00011F50', '1.\U0001E4F0']
EDGE = ['', ' ', '  ', '\t', '\n', '\r\n', '\x1c', '\x85', '\u2028', '\u3000', '\ufeff', '.' * 40, '.' * 33 + 'a',
        '. ' * 40, 'a.' * 40, ',' * 5, '???', '!!!', '--', '—', '__', '\\\\', '"', "''", '()', '(', ')', '[]', '{}',
        '<>', '@@', '``', ';;', '/', 'a/b', 'a / b', 'a /b', 'x-ray', 'x - ray', 'e-mail', '1-2', '1 - 2', 'a_b',
        'a,b', 'a, b', '1,b', 'a,1', 'a?b', 'a ?b']


def rand_token(rng):
    r = rng.random()
    if r < 0.16:
        return rng.choice(WORDS)
    if r < 0.24:
        return rng.choice(PROTO)
    if r < 0.34:
        return rng.choice(NUMBERS)
    if r < 0.42:
        return rng.choice(PUNCT_VQA) * rng.choice([1, 1, 1, 2, 3])
    if r < 0.47:
        return rng.choice(PUNCT_OTHER)
    if r < 0.55:
        return rng.choice(CASE_HARD)
    if r < 0.62:
        return ''.join(rng.choice(DIGITS_ANY) for _ in range(rng.randint(1, 3)))
    if r < 0.65:
        return rng.choice(NUMERIC_OTHER)
    if r < 0.71:
        return rng.choice(LETTER_TOKENS)
    if r < 0.75:
        return rng.choice(YESNO)
    if r < 0.78:
        return rng.choice(SQA_PATTERNS)
    if r < 0.81:
        return rng.choice(EDGE)
    if r < 0.89:
        return ''.join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(1, 6)))
    if r < 0.93:  # any BMP / astral character
        while True:
            cp = rng.randrange(0x20, 0x110000) if rng.random() < 0.3 else rng.randrange(0x20, 0x10000)
            if not 0xD800 <= cp < 0xE000 and unicodedata.category(chr(cp)) not in ('Cs',):
                return chr(cp)
    return rng.choice(PY_SPACES + LOOKALIKE_SPACES)


def rand_sep(rng):
    r = rng.random()
    if r < 0.6:
        return ' '
    if r < 0.75:
        return ''
    if r < 0.9:
        return rng.choice(PY_SPACES + LOOKALIKE_SPACES)
    return rng.choice([', ', '. ', ' , ', '\n', '\t', '  ', ': ', ' (', ') '])


def hostile_strings(rng, count):
    fixed = []
    pools = [WORDS, PROTO, NUMBERS, PUNCT_VQA, PUNCT_OTHER, CASE_HARD, LETTER_TOKENS, YESNO, SQA_PATTERNS, EDGE,
             NUMERIC_OTHER, PY_SPACES, LOOKALIKE_SPACES]
    for pool in pools:
        for t in pool:
            fixed += [t, t.upper(), t.lower(), f' {t} ', f'{t}.', f'the {t}', f'{t} {t}', f'{t}\n']
    for p in PROTO:
        fixed += [f'{p} one', f'a {p}', f'{p}s', f'{p}.', f'({p})', f'"{p}"']
    for d in DIGITS_ANY:  # every Unicode digit next to a period and a comma
        fixed += [f'1.{d}', f'{d}.', f'{d}.{d}', f'{d},{d}', f'.{d}']
    out, seen = [], set()
    for s in fixed:
        if s not in seen:
            seen.add(s)
            out.append(s)
    while len(out) < count:
        n = rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 9])
        parts = []
        for i in range(n):
            if i:
                parts.append(rand_sep(rng))
            parts.append(rand_token(rng))
        s = ''.join(parts)
        if rng.random() < 0.1:
            s = rng.choice(PY_SPACES + [' ', '']) + s + rng.choice(PY_SPACES + [' ', '', '.', '\n'])
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


CHOICE_TEXTS = ['dog', 'cat', 'Dog', 'a dog', 'the cat', 'red', 'blue', 'yes', 'no', 'A', 'B', 'one', '1', '1.5', '',
                ' ', 'constructor', '__proto__', 'toString', 'İstanbul', 'istanbul', 'i̇stanbul', 'STRASSE', 'straße',
                'ΣΟΦΟΣ', 'σοφος', 'σοφος', 'Ωmega', 'ωmega', 'ﬁsh', 'fish', 'Ꭰ', 'ꭰ', '𐐀', '𐐨', 'ǅ', 'ǆ', 'left',
                'right', 'left side', 'The answer', 'option', 'ᲊ', 'Ᲊ', '1,000', '٣', 'nan', 'None']


def choice_sets(rng, k):
    sets = []
    for _ in range(k):
        n = rng.randint(2, 4)
        sets.append({ch: rng.choice(CHOICE_TEXTS) for ch in 'ABCD'[:n]})
    return sets


# ---------------------------------------------------------------------------------------------------------
# Numbers for the printers


def numbers(rng, count):
    xs = [0.0, -0.0, 100.0, 68.125, 0.125, 0.375, 2.675, 0.5625, 1.0005, 36.25, 36.35, 31.15, 0.25, 53.33333333333333,
          66.66666666666667, 12.5, 87.5, 0.0625, 99.995, 1e-7, 123456.785, 1e16, 2.0 ** 53]
    for t in range(1, 1001):  # percentages c/t*100 and 100*c/t, both operation orders the scorers use
        for c in sorted({0, 1, t // 3, t // 2, (2 * t) // 3, t - 1, t, rng.randint(0, t)}):
            xs.append(c / t * 100)
            xs.append(100 * c / t)
    for k in range(-1000, 1001):  # exact binary ties at 2 and 3 decimals
        xs.append(k / 8)
        xs.append(k / 16)
        xs.append(k / 8 + 50)
    while len(xs) < count:
        xs.append(rng.uniform(-1000, 1000) if rng.random() < 0.5 else rng.randint(0, 10 ** 6) / 10 ** rng.randint(1, 6))
    return xs


# ---------------------------------------------------------------------------------------------------------
# Scenarios: the official scorers end to end on tiny made-up files, for the per-divergence tests


@contextlib.contextmanager
def quiet():
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        yield buf


def vizwiz_accuracy(VQAEval, evalai, preds, gts):
    """vizwiz.org VQAEval.evaluate() on uploads made as LLaVA makes them (EvalAI processor)."""
    class Res:
        def __init__(self, qa):
            self.imgToQA = qa

        def getImgs(self):
            return list(self.imgToQA)
    gt = {f'img{i}': {'answers': [{'answer': a} for a in g], 'answer_type': 'other', 'answerable': 1} for i, g in enumerate(gts)}
    res = {f'img{i}': {'answer': evalai(p), 'image': f'img{i}'} for i, p in enumerate(preds)}
    ev = VQAEval(Res(gt), Res(res))
    with quiet():
        try:
            ev.evaluate()
        except NameError:  # COCOEvalCap (caption metrics) is not loaded; accuracy is already set
            pass
    return ev.accuracy['overall']


def textvqa_scenario(llava):
    """A question answered on two lines (once right, once wrong) and one answered once: eval_textvqa.py."""
    ann = {'data': [
        {'image_id': 'img1', 'question': 'What is written?', 'answers': ['stop'] * 10},
        {'image_id': 'img2', 'question': 'What brand?', 'answers': ['nike'] * 10},
    ]}
    lines = [
        {'question_id': 'img1', 'prompt': 'What is written?\nReference OCR token: STOP\nAnswer the question using a single word or phrase.', 'text': 'stop'},
        {'question_id': 'img1', 'prompt': 'What is written?\nReference OCR token: STOP\nAnswer the question using a single word or phrase.', 'text': 'go'},
        {'question_id': 'img2', 'prompt': 'What brand?\nReference OCR token: NIKE\nAnswer the question using a single word or phrase.', 'text': 'Nike'},
    ]
    with tempfile.TemporaryDirectory() as d:
        a, r = os.path.join(d, 'ann.json'), os.path.join(d, 'res.jsonl')
        json.dump(ann, open(a, 'w'))
        open(r, 'w').write(''.join(json.dumps(x) + '\n' for x in lines))
        with quiet() as out:
            llava.textvqa.eval_single(a, r)
    m = re.search(r'Samples: (\d+)\nAccuracy: ([\d.]+)%', out.getvalue())
    return {'annotations': ann, 'answer_lines': lines, 'samples': int(m.group(1)), 'accuracy': m.group(2)}


def pope_scenario(llava):
    """TP 9, FP 7: precision 0.5625, which '%.3f' prints as 0.562 (half to even on the exact value)."""
    labels = ['yes'] * 9 + ['no'] * 7 + ['yes'] * 3 + ['no'] * 5
    texts = ['Yes'] * 16 + ['No'] * 8
    with tempfile.TemporaryDirectory() as d:
        lf = os.path.join(d, 'labels.json')
        open(lf, 'w').write(''.join(json.dumps({'label': x}) + '\n' for x in labels))
        with quiet() as out:
            llava.pope.eval_pope([{'text': t} for t in texts], lf)
    return {'labels': labels, 'texts': texts, 'printed': out.getvalue().splitlines()}


def gqa_scenario(path, llava_root):
    """GQA eval.py after LLaVA's converter on an answer file that answers question 1 twice (right, then wrong)."""
    if not path:
        return None
    qs = {
        '1': {'imageId': 'n1', 'question': 'Is it red?', 'answer': 'yes', 'isBalanced': True, 'semantic': [],
              'groups': {'global': None, 'local': 'x'}, 'types': {'structural': 'verify', 'semantic': 'attr', 'detailed': 'x'}},
        '2': {'imageId': 'n2', 'question': 'What is it?', 'answer': 'cat', 'isBalanced': True, 'semantic': [],
              'groups': {'global': 'animal', 'local': 'y'}, 'types': {'structural': 'query', 'semantic': 'cat', 'detailed': 'y'}},
    }
    lines = [{'question_id': '1', 'text': 'Yes'}, {'question_id': '2', 'text': 'Cat.'}, {'question_id': '1', 'text': 'No'}]
    with tempfile.TemporaryDirectory() as d:
        stub = os.path.join(d, 'stub')
        os.makedirs(stub)
        # tqdm only draws eval.py's progress bar: a pass-through, whether or not tqdm is installed
        open(os.path.join(stub, 'tqdm.py'), 'w').write('def tqdm(it=None, *a, **k):\n    return it\n')
        json.dump(qs, open(os.path.join(d, 'testdev_balanced_questions.json'), 'w'))
        src = os.path.join(d, 'answers.jsonl')
        open(src, 'w').write(''.join(json.dumps(x) + '\n' for x in lines))
        env = dict(os.environ, PYTHONPATH=stub)
        conv = os.path.join(llava_root, 'scripts/convert_gqa_for_eval.py')
        subprocess.run([sys.executable, conv, '--src', src, '--dst', os.path.join(d, 'testdev_balanced_predictions.json')], check=True, env=env)
        run = subprocess.run([sys.executable, path, '--tier', 'testdev_balanced', '--questions', 'testdev_balanced_questions.json'],
                             cwd=d, capture_output=True, text=True, env=env)
        if run.returncode != 0:
            raise SystemExit(f'{path} failed:\n{run.stderr}')
        out = run.stdout
    acc = re.search(r'Accuracy: ([\d.]+)%', out).group(1)
    return {'questions': qs, 'answer_lines': lines, 'accuracy': acc}


def sqa_scenario_data():
    """4,241 made-up test problems (evaluate_acc.py asserts that many): 800 grammar problems with 545 right
    (68.125 %, an exact binary tie), and grades outside grade1..grade12. Rebuilt the same way in the test."""
    grades = [f'grade{i}' for i in range(1, 14)] + ['', 'Grade5', 'grade 5', 'grade05', 'constructor']
    subjects = ['natural science', 'social science', 'language science', 'constructor']
    problems, results = {}, {}
    for i in range(4241):
        correct = i < 545 or (i >= 800 and i % 7 == 0)
        problems[str(i)] = {'question': 'q', 'choices': ['a', 'b'], 'answer': 0, 'hint': 'h' if i % 3 == 0 else '',
                            'image': 'image.png' if i % 5 == 0 else None, 'task': 'closed choice', 'grade': grades[i % len(grades)],
                            'subject': subjects[i % 4], 'topic': 'grammar' if i < 800 else 'verbs', 'category': 'c',
                            'skill': 's', 'lecture': '', 'solution': '', 'split': 'test'}
        results[str(i)] = 0 if correct else 1
    return problems, results


def sqa_scenario(root):
    try:
        import pandas  # noqa: F401
    except ImportError:
        print('note: pandas is not installed: the ScienceQA scenario (evaluate_acc.py) is skipped', file=sys.stderr)
        return None
    path = os.path.join(root, 'tools/evaluate_acc.py')
    problems, results = sqa_scenario_data()
    spec = __import__('importlib.util').util.spec_from_file_location('evaluate_acc', path)
    mod = __import__('importlib.util').util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with tempfile.TemporaryDirectory() as d:
        pf, rf = os.path.join(d, 'problems.json'), os.path.join(d, 'results.json')
        json.dump(problems, open(pf, 'w'))
        json.dump({'results': results}, open(rf, 'w'))
        with quiet():
            scores = mod.get_scores(rf, pf)
    keep = ['acc_natural', 'acc_social', 'acc_language', 'acc_has_text', 'acc_has_image', 'acc_no_context',
            'acc_grade_1_6', 'acc_grade_7_12', 'acc_average', 'acc_grammar', 'acc_verbs']
    return {k: scores[k] for k in keep}


# ---------------------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--vqa', required=True, help='GT-Vision-Lab/VQA checkout')
    ap.add_argument('--llava', required=True, help='haotian-liu/LLaVA checkout')
    ap.add_argument('--vizwiz', required=True, help='the vizwiz.org VQA scorer file (vqaEval.py)')
    ap.add_argument('--mme', required=True, help='MME eval_tool folder (calculation.py)')
    ap.add_argument('--mmbench', required=True, help="open-compass/opencompass's tools/eval_mmbench.py")
    ap.add_argument('--scienceqa', required=True, help='lupantech/ScienceQA checkout')
    ap.add_argument('--gqa', help='GQA eval.py (LLaVA testdev version), for the repeated-lines scenario')
    ap.add_argument('--mmvet', help='yuweihao/MM-Vet checkout: recorded as the source of np.round.1 (its evaluator rounds numpy floats)')
    ap.add_argument('--commit', action='append', default=[], metavar='NAME=SHA', help='commit of a plain copy (name: vqa, llava, mme, mmbench, scienceqa, gqa, vizwiz)')
    ap.add_argument('--count', type=int, default=100_000)
    ap.add_argument('--numbers', type=int, default=30_000, help='how many numbers for the printer rules')
    ap.add_argument('--seed', type=int, default=15)
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), 'vectors.jsonl.gz'))
    args = ap.parse_args()
    args.commits = dict(c.split('=', 1) for c in args.commit)

    vqa, vqa_rel = load_vqa(args.vqa)
    llava = load_llava(args.llava)
    VizWiz, _ = load_vizwiz(args.vizwiz)
    vizwiz = VizWiz(_NoQuestions(), _NoQuestions())
    mme = load_mme(args.mme)
    mmb = load_mmbench(args.mmbench)
    g16, g712 = load_sqa_grades(args.scienceqa)
    evalai = llava.m4c.EvalAIAnswerProcessor()

    mmb_root = os.path.dirname(os.path.dirname(os.path.abspath(args.mmbench)))
    sources = {
        'vqa': source(args, 'vqa', 'GT-Vision-Lab/VQA', args.vqa, vqa_rel),
        'evalai': source(args, 'llava', 'haotian-liu/LLaVA', args.llava, 'llava/eval/m4c_evaluator.py'),
        'textvqa': source(args, 'llava', 'haotian-liu/LLaVA', args.llava, 'llava/eval/eval_textvqa.py'),
        'pope': source(args, 'llava', 'haotian-liu/LLaVA', args.llava, 'llava/eval/eval_pope.py'),
        'sqa': source(args, 'llava', 'haotian-liu/LLaVA', args.llava, 'llava/eval/eval_science_qa.py'),
        'gqa.convert': source(args, 'llava', 'haotian-liu/LLaVA', args.llava, 'scripts/convert_gqa_for_eval.py'),
        'vizwiz': source(args, 'vizwiz', 'vizwiz.org VQA evaluation code (Qing Li), no public git repository: identified by sha256',
                         args.vizwiz, None, 'vqaEval.py'),
        'mme': source(args, 'mme', 'BradyFU/Awesome-Multimodal-Large-Language-Models (branch Evaluation)', args.mme, 'calculation.py',
                      'tools/eval_tool.zip: eval_tool/calculation.py'),
        'mmbench': source(args, 'mmbench', 'open-compass/opencompass', mmb_root, 'tools/eval_mmbench.py'),
        'sqa.grade': source(args, 'scienceqa', 'lupantech/ScienceQA', args.scienceqa, 'tools/evaluate_acc.py'),
    }
    if args.mmvet:
        sources['mmvet'] = source(args, 'mmvet', 'yuweihao/MM-Vet', args.mmvet, 'mm-vet_evaluator.py')
    if args.gqa:
        sources['gqa'] = source(args, 'gqa', 'SHI-Labs/VCoder', args.gqa, None, 'playground/data/eval/gqa/data/eval/eval.py (GQA eval.py, LLaVA testdev edits)')

    rng = random.Random(args.seed)
    strings = hostile_strings(rng, args.count)
    sets = choice_sets(rng, 64)

    # String rules' outputs are written relative to a reference, to keep the file small: an output that is
    # not a string is written as it is; a string is [k, p, q, mid]: the reference string r (k = -1: the input,
    # else the decoded output of the k-th rule in `columns` at the same index) with its first p and last q
    # code points kept and `mid` between them; [k] = exactly r.
    rule_source = {'vqa.strip': 'vqa', 'vqa.processPunctuation': 'vqa', 'vqa.processDigitArticle': 'vqa', 'evalai': 'evalai',
                   'vizwiz.processPunctuation': 'vizwiz', 'vizwiz.processDigitArticle': 'vizwiz', 'vizwiz.normalize': 'vizwiz',
                   'vizwiz.upload': 'vizwiz', 'pope.yesno': 'pope', 'mme.parse_pred_ans': 'mme', 'mmbench.can_infer_option': 'mmbench',
                   'mmbench.can_infer': 'mmbench', 'sqa.letter': 'sqa', 'gqa.convert': 'gqa.convert',
                   'textvqa.prompt_processor': 'textvqa', 'sqa.grade': 'sqa.grade', 'py.format.2f': 'sqa.grade',
                   'py.format.3f': 'pope', 'py.round.2': 'vqa', 'np.round.1': 'mmvet'}

    def vizwiz_norm(s):
        t = s.replace('\n', ' ').replace('\t', ' ').strip()  # VQAEval.evaluate(), the lines before processPunctuation
        return vizwiz.processDigitArticle(vizwiz.processPunctuation(t))

    def pope_rule(texts):
        answers = [{'text': t} for t in texts]
        with tempfile.TemporaryDirectory() as d:
            lf = os.path.join(d, 'labels.json')
            open(lf, 'w').write(''.join('{"label": "yes"}\n' for _ in texts))
            with quiet():
                try:
                    llava.pope.eval_pope(answers, lf)
                except ZeroDivisionError:  # the metrics after the rule; the rule has run on every answer
                    pass
        return [a['text'] for a in answers]

    def gqa_convert(texts):
        """scripts/convert_gqa_for_eval.py run as it is, on a JSONL of every string."""
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, 'a.jsonl'), os.path.join(d, 'b.json')
            with open(src, 'w', encoding='utf-8') as f:
                for i, t in enumerate(texts):
                    f.write(json.dumps({'question_id': str(i), 'text': t}) + '\n')
            subprocess.run([sys.executable, os.path.join(args.llava, 'scripts/convert_gqa_for_eval.py'), '--src', src, '--dst', dst], check=True)
            return [x['prediction'] for x in json.load(open(dst, encoding='utf-8'))]

    def prompt_processor(s):
        try:
            return llava.textvqa.prompt_processor(s)
        except (AssertionError, AttributeError):  # assert False / re.search found nothing
            return None

    def mmb_option(s):
        with quiet():
            return mmb['can_infer_option'](s)

    def mmb_infer(i, s):
        with quiet():
            return mmb['can_infer'](s, dict(sets[i % len(sets)]))  # can_infer_text lower-cases the dict in place

    out = {
        'vqa.strip': [s.replace('\n', ' ').replace('\t', ' ').strip() for s in strings],  # vqaEval.evaluate() step 1, inline there
        'vqa.processPunctuation': [vqa.processPunctuation(s) for s in strings],
        'vqa.processDigitArticle': [vqa.processDigitArticle(s) for s in strings],
        'evalai': [evalai(s) for s in strings],
        'vizwiz.processPunctuation': [vizwiz.processPunctuation(s) for s in strings],
        'vizwiz.processDigitArticle': [vizwiz.processDigitArticle(s) for s in strings],
        'vizwiz.normalize': [vizwiz_norm(s) for s in strings],
        'pope.yesno': pope_rule(strings),
        'mme.parse_pred_ans': [mme.parse_pred_ans(s.lower()) for s in strings],  # process_result lower-cases first
        'mmbench.can_infer_option': [mmb_option(s) for s in strings],
        'mmbench.can_infer': [mmb_infer(i, s) for i, s in enumerate(strings)],
        'sqa.letter': [llava.sqa_extract(s) for s in strings],
        'gqa.convert': gqa_convert(strings),
        'textvqa.prompt_processor': [prompt_processor(s if i % 2 else s + TEXTVQA_SUFFIX) for i, s in enumerate(strings)],
    }
    out['vizwiz.upload'] = [vizwiz_norm(e) for e in out['evalai']]
    columns = list(out)

    order = ['vqa.strip', 'gqa.convert', 'vqa.processPunctuation', 'vizwiz.processPunctuation', 'vqa.processDigitArticle',
             'vizwiz.processDigitArticle', 'evalai', 'vizwiz.normalize', 'vizwiz.upload', 'textvqa.prompt_processor', 'pope.yesno', 'mme.parse_pred_ans', 'mmbench.can_infer_option', 'mmbench.can_infer',
             'sqa.letter']
    assert sorted(order) == sorted(columns)
    columns = order

    def diff(r, v):
        n = min(len(r), len(v))
        p = 0
        while p < n and r[p] == v[p]:
            p += 1
        q = 0
        while q < n - p and r[len(r) - 1 - q] == v[len(v) - 1 - q]:
            q += 1
        return p, q, v[p:len(v) - q]

    def encode(ci):
        rule = columns[ci]
        enc = []
        for i, v in enumerate(out[rule]):
            if not isinstance(v, str):
                enc.append(v)
                continue
            best = None
            for k in range(-1, ci):
                r = strings[i] if k == -1 else out[columns[k]][i]
                if not isinstance(r, str):
                    continue
                if r == v:
                    best = [k]
                    break
                p, q, mid = diff(r, v)
                cand = [k, p, q, mid]
                if best is None or len(mid) < len(best[3]):
                    best = cand
            enc.append(best if best is not None and (len(best) == 1 or len(best[3]) + 6 < len(v)) else v)
        return enc

    grade_inputs = sorted(set(g16 + g712 + [f'grade{i}' for i in range(0, 20)] + ['', 'Grade1', 'GRADE7', 'grade 5', 'grade05',
                   'grade-3', ' grade3', 'grade3 ', 'grade\u0661', 'grade\uff16', 'constructor', '__proto__', 'kindergarten', 'k', 'None']))
    grades = [('G1-6' if g in g16 else 'G7-12' if g in g712 else None) for g in grade_inputs]

    import numpy as np
    xs = numbers(rng, args.numbers)
    num_out = {
        'py.format.2f': ['{:.2f}'.format(x) for x in xs],
        'py.format.3f': ['%.3f' % x for x in xs],
        'py.round.2': [round(x, 2) for x in xs],
        'np.round.1': [float(np.round(np.float64(x), 1)) for x in xs],
    }

    scenarios = {
        'vizwiz.constructor': {'preds': ['constructor', '__proto__'], 'gts': [['constructor'] * 10, ['__proto__'] * 10]},
        'vizwiz.unicode_digits': {'preds': ['1.\uff15', '\u0663.\u0665'], 'gts': [['1\uff15'] * 10, ['\u0663\u0665'] * 10]},
    }
    for sc in scenarios.values():
        sc['overall'] = vizwiz_accuracy(VizWiz, evalai, sc['preds'], sc['gts'])
    scenarios['textvqa.repeated_lines'] = textvqa_scenario(llava)
    scenarios['pope.format_3f'] = pope_scenario(llava)
    g = gqa_scenario(args.gqa, args.llava)
    if g:
        scenarios['gqa.repeated_lines'] = g
    sq = sqa_scenario(args.scienceqa)
    if sq:
        scenarios['sqa.evaluate_acc'] = sq

    counts = {c: len(strings) for c in columns}
    counts['sqa.grade'] = len(grade_inputs)
    counts.update({c: len(xs) for c in num_out})
    header = {
        'format': FORMAT,
        'python': sys.version.split()[0],
        'unidata_version': unicodedata.unidata_version,
        'numpy': np.__version__,
        'seed': args.seed,
        'sources': sources,
        'rule_source': rule_source,
        'layout': 'line 1: this header; then one JSON object a line: {"strings": [...]}, then {"rule", "out"} per string '
                  'rule in `columns` order (out[i] for strings[i]; a string output is [k, p, q, mid]: reference r = the input '
                  'when k = -1, else the decoded output of columns[k] at i; output = first p code points of r + mid + last q '
                  'code points of r; [k] = r itself; any other value is literal), {"grades": [...]}, {"rule": "sqa.grade", '
                  '"out"}, {"numbers": [...]}, then {"rule", "out"} per number rule (literal values)',
        'columns': columns,
        'textvqa_suffix': TEXTVQA_SUFFIX,
        'choice_sets': sets,
        'counts': counts,
        'printers': {'py.format.2f': "'{:.2f}'.format(x): evaluate_acc.py, eval_textvqa.py, eval_science_qa.py, GQA eval.py",
                     'py.format.3f': "'%.3f' % x: eval_pope.py's last line", 'py.round.2': 'round(x, 2): vqaEval.py, the VizWiz scorer',
                     'np.round.1': "round(np.float64(x), 1) = np.round: MM-Vet's evaluator"},
        'scenarios': scenarios,
        'regenerate': 'python3 test/fuzz/make_vectors.py --vqa ... --llava ... --vizwiz ... --mme ... --mmbench ... --scienceqa ... --gqa ... --mmvet ... (README in test/fuzz)',
    }
    raw = io.BytesIO()  # mtime=0: the same inputs give a byte-identical file
    with gzip.GzipFile(fileobj=raw, mode='wb', compresslevel=9, mtime=0) as gz:
        w = io.TextIOWrapper(gz, encoding='utf-8', newline='\n')
        dump = lambda o: w.write(json.dumps(o, ensure_ascii=False) + '\n')
        dump(header)
        dump({'strings': strings})
        for ci, c in enumerate(columns):
            dump({'rule': c, 'out': encode(ci)})
        dump({'grades': grade_inputs})
        dump({'rule': 'sqa.grade', 'out': grades})
        dump({'numbers': xs})
        for c, v in num_out.items():
            dump({'rule': c, 'out': v})
        w.flush()
        w.detach()
    open(args.out, 'wb').write(raw.getvalue())
    total = sum(counts.values())
    print(f'{args.out}: {len(strings)} strings, {total} vectors over {len(counts)} rules, {len(raw.getvalue())} bytes', file=sys.stderr)
    for k, v in counts.items():
        print(f'  {k}: {v}', file=sys.stderr)


if __name__ == '__main__':
    main()
