// What each benchmark's data should look like on disk: the files eve-eval reads (relative to the data
// root, in the LLaVA-1.5 / EVE playground/data/eval layout), the image folders, the expected counts per
// split, and the known releases of each file by MD5 (MD5 because that is what VLMEvalKit publishes; the
// run manifest keeps sha256). `eve-eval data status|check|guide` read this; nothing here is computed at
// run time. Every checksum says where it came from; none is made up, and a file whose release is not
// listed is reported as "unknown release", not as wrong.
import type { BenchmarkId } from '../core/benchmark.ts';

export interface KnownRelease {
  md5: string;
  /** Which release this is, e.g. "AoiDragon/POPE @e3e3926 (the commit LLaVA pins)". */
  release: string;
  /** Where the checksum came from. */
  source: string;
  /** The release eve-eval's protocol expects; a file matching only other releases is a mismatch. */
  expected: boolean;
}

export interface CatalogFile {
  /** Path relative to the data root. */
  path: string;
  what: string;
  /** Splits that read it; absent: every split. */
  splits?: string[];
  /** Needed only for part of the work (scoring ground truth, submissions); its absence is a note, not a failure. */
  optional?: boolean;
  /** Other names the same file may have (the first existing wins), relative to the data root. */
  alternatives?: string[];
  releases?: KnownRelease[];
}

export interface VlmevalkitTsv {
  /** VLMEvalKit's dataset name; the file is `<name>.tsv` in the data root or the benchmark's folder. */
  name: string;
  url: string;
  /** Whether runs read it (from the benchmark's folder) when the LLaVA-layout files are absent. */
  readByRuns?: boolean;
  releases: KnownRelease[];
}

export interface CatalogEntry {
  /** Questions (samples) per split; `images`: samples with an image, where the split mixes text-only ones. */
  expected: Record<string, { samples: number; images?: number }>;
  files: CatalogFile[];
  /** `alternatives`: other folders the benchmark's reader takes the images from when `path` is absent (first existing wins). */
  imageFolders: { path: string; splits?: string[]; alternatives?: string[] }[];
  vlmevalkit: VlmevalkitTsv[];
  guide: { sources: string[]; layout: string[]; licence: string };
}

const LLAVA = 'haotian-liu/LLaVA @32cebc3';
const FROM_REALDATA = `MD5 of ${LLAVA}'s file, computed here (../shared/realdata)`;
const VLMEVALKIT = 'open-compass/VLMEvalKit @e8e78f0, vlmeval/dataset DATASET_MD5';
const VLMEVALKIT_OLD = (commit: string) => `open-compass/VLMEvalKit history: the DATASET_MD5 before commit ${commit}`;
const POPE_GIT = 'MD5 of the file at that commit of AoiDragon/POPE, computed here from its git history';

const llava = (md5: string, what = 'LLaVA-1.5 eval kit'): KnownRelease[] => [{ md5, release: `${what} (${LLAVA})`, source: FROM_REALDATA, expected: true }];
const vlmevalkit = (name: string, url: string, md5: string, older: Array<[string, string]> = [], readByRuns = false): VlmevalkitTsv => ({
  name,
  url,
  readByRuns,
  releases: [
    { md5, release: `VLMEvalKit ${name}.tsv (current)`, source: VLMEVALKIT, expected: true },
    ...older.map(([m, commit]) => ({
      md5: m,
      release: `VLMEvalKit ${name}.tsv (replaced upstream in ${commit})`,
      source: VLMEVALKIT_OLD(commit),
      expected: false,
    })),
  ],
});
const OC = 'https://opencompass.openxlab.space/utils';
// Download locations in the guide follow LLaVA-1.5's and EVE's docs/Evaluation.md (EVE also ships the
// LLaVA-style question files in its playground.zip) and the benchmarks' own pages.

/** The official MME ground-truth files (eval_tool.zip, Your_Results/): MD5s of the copies in ../shared/realdata. */
const MME_GT: Record<string, string> = {
  existence: '1d6265d2e19af6d2f9e66714c62c3471',
  count: '9038f65261a6d6327ec9f8c7c07e457a',
  position: '0d754b752e4427db3d28a4b6d0b2002f',
  color: '16bd22ed90789a1e26f0ce2f5b6be470',
  posters: '3d02405a82b811c076db80c72110c0e6',
  celebrity: '5c228129e7cbb20ea6a9e426706a29e3',
  scene: '05249c2895266cac2f3ea5819493118d',
  landmark: 'd6f454851d02b1e86054b70ac0865f6d',
  artwork: 'b3642c4ea1836224ed4fd67955282793',
  OCR: '74456af17b0c52eb44dbc113a0c15fd6',
  commonsense_reasoning: '9b8a5431af5d6b2c5cf5843ee76d751c',
  numerical_calculation: 'b91a5c8d3165bbb88ec7ccd201a0504d',
  text_translation: '1f6df8c0b268ef78e885a1120b295f12',
  code_reasoning: '8b60ff01620a1b3fe343b6e91edf6ec6',
};

/** POPE label files per commit of AoiDragon/POPE output/coco/ (28f884a holds the same bytes as e3e3926; 552c281 and 06d6262 as 7ef3026). */
const POPE_LABELS: Record<'adversarial' | 'popular' | 'random', Array<[string, string, boolean]>> = {
  adversarial: [
    ['b3f9df71709d436462611d7e88ce1447', 'e3e3926 (the commit LLaVA pins; 3,000 rows)', true],
    ['a44d2b8249f92d287335469afe9bdda3', '7ef3026 (3,000 rows)', false],
    ['d7e0cec9b2ea24bed9614eec4b28a50f', 'edebdda (3,000 rows)', false],
    ['3b1a278f8d61acd21b27020d0af817cb', '109985c (3,000 rows)', false],
  ],
  popular: [
    ['8233e15e9bb7587b03a624b38a1cee74', 'e3e3926 (the commit LLaVA pins; 3,000 rows)', true],
    ['294855d4cbd5215a80e7653db6cf71f5', '7ef3026 (3,000 rows)', false],
    ['64902313fb995e09fa478de9741910d7', 'edebdda / 109985c (3,000 rows)', false],
  ],
  random: [
    ['b635b20061b1262cba65ed5bef7660a2', 'e3e3926 (the commit LLaVA pins; 2,910 rows)', true],
    ['d6611531e83a0f13ff2437ae8a0f697c', '7ef3026 (regenerated: 3,000 rows)', false],
    ['dc9b6c41ad832c48da758cfa85b37d2c', 'edebdda / 109985c (regenerated: 3,000 rows)', false],
  ],
};

const NOT_CONFIRMED = 'not confirmed here (the official page could not be read from this machine); check it before redistributing';

export const DATA_CATALOG: Record<BenchmarkId, CatalogEntry> = {
  vqav2: {
    expected: { val: { samples: 214_354 }, 'test-dev': { samples: 107_394 } },
    files: [
      { path: 'vqav2/v2_OpenEnded_mscoco_val2014_questions.json', what: 'val questions (official)', splits: ['val'] },
      { path: 'vqav2/v2_mscoco_val2014_annotations.json', what: 'val answers (official)', splits: ['val'] },
      {
        path: 'vqav2/llava_vqav2_mscoco_test-dev2015.jsonl',
        what: 'test-dev prompts (LLaVA), or the official test-dev questions',
        splits: ['test-dev'],
        alternatives: ['vqav2/v2_OpenEnded_mscoco_test-dev2015_questions.json'],
      },
      {
        path: 'vqav2/llava_vqav2_mscoco_test2015.jsonl',
        what: 'full test2015 question list, for the EvalAI upload',
        splits: ['test-dev'],
        optional: true,
        alternatives: ['vqav2/v2_OpenEnded_mscoco_test2015_questions.json'],
      },
    ],
    imageFolders: [
      { path: 'vqav2/val2014', splits: ['val'] },
      { path: 'vqav2/test2015', splits: ['test-dev'] },
    ],
    vlmevalkit: [],
    guide: {
      sources: [
        'https://visualqa.org/download.html: "Balanced Real Images" questions and annotations (v2_Questions_Val_mscoco.zip, v2_Annotations_Val_mscoco.zip, v2_Questions_Test_mscoco.zip)',
        'COCO images: val2014 (for val) and test2015 (http://images.cocodataset.org/zips/test2015.zip, for test-dev) from https://cocodataset.org/#download',
        "LLaVA-1.5 eval kit (playground/data/eval from LLaVA's Evaluation.md, eval.zip): llava_vqav2_mscoco_test-dev2015.jsonl, llava_vqav2_mscoco_test2015.jsonl",
        'test-dev is scored by the EvalAI server only: `eve-eval submission --benchmark vqav2` writes the upload file',
      ],
      layout: [
        'vqav2/v2_OpenEnded_mscoco_val2014_questions.json',
        'vqav2/v2_mscoco_val2014_annotations.json',
        'vqav2/llava_vqav2_mscoco_test-dev2015.jsonl',
        'vqav2/llava_vqav2_mscoco_test2015.jsonl',
        'vqav2/val2014/COCO_val2014_*.jpg',
        'vqav2/test2015/COCO_test2015_*.jpg',
      ],
      licence: `annotations: visualqa.org's Terms of Use; images: COCO's terms of use (Flickr). The exact licence text is ${NOT_CONFIRMED}`,
    },
  },
  gqa: {
    expected: { testdev_balanced: { samples: 12_578 } },
    files: [
      {
        path: 'gqa/llava_gqa_testdev_balanced.jsonl',
        what: 'testdev-balanced prompts (LLaVA)',
        alternatives: ['gqa/testdev_balanced_questions.json'],
        releases: llava('8cac6d99a8595122106162661725da97'),
      },
      {
        path: 'gqa/testdev_balanced_questions.json',
        what: 'testdev-balanced questions with answers (official), for scoring',
        optional: true,
        alternatives: ['gqa/data/testdev_balanced_questions.json'],
      },
    ],
    imageFolders: [{ path: 'gqa/images' }],
    vlmevalkit: [
      vlmevalkit(
        'GQA_TestDev_Balanced',
        `${OC}/VLMEval/GQA_TestDev_Balanced.tsv`,
        '99b62f22e224d9b2f32dcbe41359d1c9',
        [['fead7df22befc1ed3ca2b62ea26fa17b', 'be12656a']],
        true,
      ),
    ],
    guide: {
      sources: [
        'https://cs.stanford.edu/people/dorarad/gqa/download.html: "Questions" (questions1.2.zip, holding testdev_balanced_questions.json) and "Images" (images.zip)',
        'LLaVA-1.5 eval kit: gqa/llava_gqa_testdev_balanced.jsonl',
      ],
      layout: ['gqa/llava_gqa_testdev_balanced.jsonl', 'gqa/testdev_balanced_questions.json', 'gqa/images/<imageId>.jpg'],
      licence: `GQA's terms: ${NOT_CONFIRMED}; its images come from Visual Genome`,
    },
  },
  vizwiz: {
    expected: { test: { samples: 8_000 }, val: { samples: 4_319 } },
    files: [
      {
        path: 'vizwiz/llava_test.jsonl',
        what: 'test prompts (LLaVA), or the official test.json',
        splits: ['test'],
        alternatives: ['vizwiz/test.json', 'vizwiz/Annotations/test.json'],
        releases: llava('e1aa9199c1d5b86ab574c41eaa996276'),
      },
      {
        path: 'vizwiz/val.json',
        what: 'val questions and answers (official Annotations/val.json)',
        splits: ['val'],
        alternatives: ['vizwiz/Annotations/val.json'],
      },
    ],
    imageFolders: [
      { path: 'vizwiz/test', splits: ['test'] },
      { path: 'vizwiz/val', splits: ['val'] },
    ],
    vlmevalkit: [vlmevalkit('VizWiz', `${OC}/VLMEval/VizWiz.tsv`, 'fa4ac4164467563ed2fac6eac6631bd0', [], true)],
    guide: {
      sources: [
        'VizWiz VQA: https://vizwiz.cs.colorado.edu/VizWiz_final/vqa_data/Annotations.zip (val.json, test.json) and the images https://vizwiz.cs.colorado.edu/VizWiz_final/images/test.zip (and val.zip), see https://vizwiz.org/tasks-and-datasets/vqa/',
        'LLaVA-1.5 eval kit: vizwiz/llava_test.jsonl',
        'test is scored by the EvalAI server only: `eve-eval submission --benchmark vizwiz` writes the upload file',
      ],
      layout: ['vizwiz/llava_test.jsonl', 'vizwiz/val.json', 'vizwiz/test/VizWiz_test_*.jpg', 'vizwiz/val/VizWiz_val_*.jpg'],
      licence: `VizWiz's terms: ${NOT_CONFIRMED}`,
    },
  },
  textvqa: {
    expected: { val: { samples: 5_000 } },
    files: [
      {
        path: 'textvqa/llava_textvqa_val_v051_ocr.jsonl',
        what: 'val prompts with Rosetta OCR tokens (LLaVA)',
        releases: llava('e983ae73a909d52168b39cdc8f04a402'),
      },
      { path: 'textvqa/TextVQA_0.5.1_val.json', what: 'val answers (official), for scoring', optional: true },
    ],
    // The val images ship in train_images/ (TextVQA's archive, LLaVA's layout); EVE's textvqa.sh names the folder images/.
    imageFolders: [{ path: 'textvqa/train_images', alternatives: ['textvqa/images'] }],
    vlmevalkit: [vlmevalkit('TextVQA_VAL', `${OC}/VLMEval/TextVQA_VAL.tsv`, 'b233b31f551bbf4056f2f955da3a92cd')],
    guide: {
      sources: [
        'https://dl.fbaipublicfiles.com/textvqa/data/TextVQA_0.5.1_val.json and https://dl.fbaipublicfiles.com/textvqa/images/train_val_images.zip (the val images are in its train_images/)',
        'LLaVA-1.5 eval kit: textvqa/llava_textvqa_val_v051_ocr.jsonl',
      ],
      layout: [
        'textvqa/llava_textvqa_val_v051_ocr.jsonl',
        'textvqa/TextVQA_0.5.1_val.json',
        'textvqa/train_images/<image_id>.jpg (or textvqa/images/<image_id>.jpg)',
      ],
      licence: `TextVQA's terms: ${NOT_CONFIRMED}; its images come from OpenImages`,
    },
  },
  pope: {
    expected: { test: { samples: 8_910 }, adversarial: { samples: 3_000 }, popular: { samples: 3_000 }, random: { samples: 2_910 } },
    files: [
      { path: 'pope/llava_pope_test.jsonl', what: 'questions of the three splits (LLaVA)', releases: llava('025922694b1801f999f6dd8a23bacaa7') },
      ...(['adversarial', 'popular', 'random'] as const).map((s) => ({
        path: `pope/coco/coco_pope_${s}.json`,
        what: `${s} labels (AoiDragon/POPE output/coco/)`,
        splits: ['test', s],
        releases: POPE_LABELS[s].map(([md5, commit, expected]) => ({ md5, release: `AoiDragon/POPE @${commit}`, source: POPE_GIT, expected })),
      })),
    ],
    imageFolders: [{ path: 'pope/val2014' }],
    vlmevalkit: [vlmevalkit('POPE', `${OC}/VLMEval/POPE.tsv`, 'c12f5acb142f2ef1f85a26ba2fbe41d5', [], true)],
    guide: {
      sources: [
        "https://github.com/AoiDragon/POPE: output/coco/coco_pope_{adversarial,popular,random}.json at commit e3e3926 (the one LLaVA pins; later commits regenerated the random split to 3,000 rows, which LLaVA's question file does not match)",
        'COCO val2014 images from https://cocodataset.org/#download',
        'LLaVA-1.5 eval kit: pope/llava_pope_test.jsonl',
        "or VLMEvalKit's POPE.tsv (one row per question, its category naming every split it is in), read when LLaVA's question file is absent",
      ],
      layout: [
        'pope/llava_pope_test.jsonl',
        'pope/coco/coco_pope_adversarial.json',
        'pope/coco/coco_pope_popular.json',
        'pope/coco/coco_pope_random.json',
        'pope/val2014/COCO_val2014_*.jpg',
        'or pope/POPE.tsv',
      ],
      licence: "POPE: MIT (the LICENSE file of AoiDragon/POPE); the images are COCO val2014 under COCO's terms of use",
    },
  },
  mme: {
    expected: { test: { samples: 2_374 } },
    files: [
      { path: 'MME/llava_mme.jsonl', what: 'prompts (LLaVA)', releases: llava('6b55a97d5af991b8cfe9d5ce71f7b1d3') },
      ...Object.entries(MME_GT).map(([subtask, md5]) => ({
        path: `MME/eval_tool/Your_Results/${subtask}.txt`,
        what: `${subtask} questions and ground truth (official eval_tool)`,
        releases: [
          {
            md5,
            release: 'MME eval_tool.zip (BradyFU/Awesome-Multimodal-Large-Language-Models, branch Evaluation)',
            source: 'MD5 of the copy in ../shared/realdata, computed here',
            expected: true,
          },
        ],
      })),
    ],
    imageFolders: [{ path: 'MME/MME_Benchmark_release_version' }],
    vlmevalkit: [vlmevalkit('MME', `${OC}/VLMEval/MME.tsv`, 'b36b43c3f09801f5d368627fb92187c3', [], true)],
    guide: {
      sources: [
        'MME_Benchmark_release_version (images and per-subtask question files): by request from the MME authors, see https://github.com/BradyFU/Awesome-Multimodal-Large-Language-Models/tree/Evaluation',
        'eval_tool.zip from the same branch: Your_Results/<subtask>.txt is the official question list with ground truth',
        'LLaVA-1.5 eval kit: MME/llava_mme.jsonl',
        "or VLMEvalKit's MME.tsv (questions, answers and base64 images in one file), read when none of the above is there",
      ],
      layout: [
        'MME/llava_mme.jsonl',
        'MME/eval_tool/Your_Results/<subtask>.txt (14 files)',
        'MME/MME_Benchmark_release_version/<subtask>/[images/]<file>',
        'or MME/MME.tsv',
      ],
      licence: `MME's terms (the authors distribute it by request, for research): ${NOT_CONFIRMED}`,
    },
  },
  mmbench: {
    expected: { dev: { samples: 4_377 } },
    files: [
      { path: 'mmbench/mmbench_dev_20230712.tsv', what: 'dev questions, options, answers and base64 images', splits: ['dev'] },
      {
        path: 'mmbench/mmbench_test_20230712.tsv',
        what: 'test questions (no answers; scored by the MMBench server)',
        splits: ['test'],
        alternatives: ['mmbench/mmbench_test_en_20231003.tsv'],
      },
    ],
    imageFolders: [],
    vlmevalkit: [
      vlmevalkit('MMBench_DEV_EN', `${OC}/benchmarks/MMBench/MMBench_DEV_EN.tsv`, 'b6caf1133a01c6bb705cf753bb527ed8', [], true),
      vlmevalkit('MMBench_TEST_EN', `${OC}/benchmarks/MMBench/MMBench_TEST_EN.tsv`, '6939fadb0ce626fefc0bdc9c64efc528', [], true),
    ],
    guide: {
      sources: [
        "https://download.openmmlab.com/mmclassification/datasets/mmbench/mmbench_dev_20230712.tsv (the file LLaVA-1.5's Evaluation.md names; the images are base64 inside it)",
        'test: mmbench_test_20230712.tsv from the same place; scored by the MMBench server (`eve-eval submission --benchmark mmbench --out upload.xlsx`)',
        "or VLMEvalKit's MMBench_DEV_EN.tsv / MMBench_TEST_EN.tsv (same columns; image cells that name another row's index are resolved), read when the 20230712 file is absent",
      ],
      layout: ['mmbench/mmbench_dev_20230712.tsv (or mmbench/MMBench_DEV_EN.tsv)', 'mmbench/mmbench_test_20230712.tsv (or mmbench/MMBench_TEST_EN.tsv)'],
      licence: `MMBench's terms: ${NOT_CONFIRMED}`,
    },
  },
  seed: {
    expected: { all: { samples: 19_242 }, image: { samples: 14_233 }, video: { samples: 5_009 } },
    files: [
      { path: 'seed_bench/SEED-Bench.json', what: 'questions, options and answers (official)' },
      { path: 'seed_bench/llava-seed-bench.jsonl', what: 'prompts (LLaVA), optional: eve-eval builds the same prompts without it', optional: true },
    ],
    imageFolders: [
      { path: 'seed_bench/SEED-Bench-image', splits: ['all', 'image'] },
      { path: 'seed_bench/SEED-Bench-video-image', splits: ['all', 'video'] },
    ],
    vlmevalkit: [vlmevalkit('SEEDBench_IMG', `${OC}/benchmarks/SEEDBench/SEEDBench_IMG.tsv`, '68017231464752261a2526d6ca3a10c0', [], true)],
    guide: {
      sources: [
        'https://huggingface.co/datasets/AILab-CVC/SEED-Bench: SEED-Bench.json and SEED-Bench-image.zip; the videos (Something-Something v2, Epic-Kitchens 100, Breakfast) from their own sites',
        "video questions need one frame per question in SEED-Bench-video-image/<question_type_id>_<question_id>.png (LLaVA's extract_video_frames.py takes the middle frame); questions without it are counted as skipped by `data status`",
      ],
      layout: [
        'seed_bench/SEED-Bench.json',
        'seed_bench/llava-seed-bench.jsonl',
        'seed_bench/SEED-Bench-image/<data_id>',
        'seed_bench/SEED-Bench-video-image/<type>_<id>.png',
      ],
      licence:
        'SEED-Bench: Apache License 2.0 (its README); the images come from Conceptual Captions and the videos from their datasets, each under its own licence',
    },
  },
  mmvet: {
    expected: { test: { samples: 218 } },
    files: [
      {
        path: 'mm-vet/llava-mm-vet.jsonl',
        what: 'questions and image names (LLaVA)',
        alternatives: ['mm-vet/mm-vet.json'],
        releases: llava('98cdf5ec7f9864ca3e0ec337fc489830'),
      },
      { path: 'mm-vet/mm-vet.json', what: 'questions with ground truth (official), for the GPT-4 grader', optional: true },
    ],
    imageFolders: [{ path: 'mm-vet/images' }],
    vlmevalkit: [vlmevalkit('MMVet', `${OC}/VLMEval/MMVet.tsv`, '748aa6d4aa9d4de798306a63718455e3', [['f400d7f513a585a0f218cbd6882e0671', 'e492f6e8']], true)],
    guide: {
      sources: [
        "https://github.com/yuweihao/MM-Vet/releases/download/v1/mm-vet.zip (mm-vet.json and images/; EVE's docs extract it to mmvet/, LLaVA's layout and eve-eval read mm-vet/)",
        'LLaVA-1.5 eval kit: mm-vet/llava-mm-vet.jsonl',
        "scored by a GPT-4 judge; eve-eval reads the grader's output (`score --benchmark mmvet --predictions grades.json`)",
        "or VLMEvalKit's MMVet.tsv (questions, answers, capabilities and base64 images in one file; its index n is MM-Vet's v1_<n-1>), read when neither llava-mm-vet.jsonl nor mm-vet.json is there",
      ],
      layout: ['mm-vet/llava-mm-vet.jsonl', 'mm-vet/mm-vet.json', 'mm-vet/images/v1_*.png', 'or mm-vet/MMVet.tsv'],
      licence: `MM-Vet's terms: ${NOT_CONFIRMED} (../shared/realdata notes CC BY-NC)`,
    },
  },
  sqa: {
    expected: { test: { samples: 4_241, images: 2_017 } },
    files: [
      { path: 'scienceqa/llava_test_CQM-A.json', what: 'test prompts with the gold letter (LLaVA)', releases: llava('b54d1eca943503d24bbed807b78f3d15') },
      {
        path: 'scienceqa/pid_splits.json',
        what: 'official splits',
        optional: true,
        releases: [
          {
            md5: '144e0b5dfd8cc0cbc6b241dca7edc8b8',
            release: 'lupantech/ScienceQA @2cbf831 data/scienceqa/pid_splits.json',
            source: 'MD5 of the copy in ../shared/realdata, computed here',
            expected: true,
          },
        ],
      },
      { path: 'scienceqa/problems.json', what: 'official problems (answers, subjects), for the per-subject breakdown', optional: true },
    ],
    imageFolders: [{ path: 'scienceqa/images/test' }],
    vlmevalkit: [vlmevalkit('ScienceQA_TEST', `${OC}/benchmarks/ScienceQA/ScienceQA_TEST.tsv`, 'e42e9e00f9c59a80d8a5db35bc32b71f', [], true)],
    guide: {
      sources: [
        'https://github.com/lupantech/ScienceQA: data/scienceqa/problems.json, pid_splits.json, and the test images (its tools/download.sh names the archive)',
        'LLaVA-1.5 eval kit: scienceqa/llava_test_CQM-A.json',
      ],
      layout: ['scienceqa/llava_test_CQM-A.json', 'scienceqa/pid_splits.json', 'scienceqa/problems.json', 'scienceqa/images/test/<pid>/image.png'],
      licence: `the ScienceQA code repository is MIT (its LICENSE); the dataset's own licence is ${NOT_CONFIRMED} (../shared/realdata notes CC BY-NC-SA)`,
    },
  },
};
