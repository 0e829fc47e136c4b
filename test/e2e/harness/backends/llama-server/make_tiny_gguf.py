"""A tiny random LLaMA in GGUF, for testing eve-eval's remote backend against llama.cpp's own server.

Usage: make_tiny_gguf.py TOKENIZER_MODEL OUT.gguf
The vocabulary is the real LLaMA-2 SentencePiece model (fixtures/tokenizers/llama2/tokenizer.model), the
weights are seeded random, and a vicuna_v1-style chat template is embedded, so llama-server can apply it.
"""
import sys

import numpy as np
import sentencepiece as spm
from gguf import GGUFWriter, TokenType

tok_path, out = sys.argv[1], sys.argv[2]
sp = spm.SentencePieceProcessor(model_file=tok_path)
n_vocab = sp.vocab_size()
tokens, scores, types = [], [], []
for i in range(n_vocab):
    tokens.append(sp.id_to_piece(i).encode("utf-8"))
    scores.append(sp.get_score(i))
    if sp.is_unknown(i):
        types.append(TokenType.UNKNOWN)
    elif sp.is_control(i):
        types.append(TokenType.CONTROL)
    elif sp.is_byte(i):
        types.append(TokenType.BYTE)
    else:
        types.append(TokenType.NORMAL)

n_embd, n_layer, n_head, n_kv, n_ff = 64, 2, 4, 2, 128
head_dim = n_embd // n_head
rng = np.random.default_rng(0)


def w(*shape):
    return (rng.standard_normal(shape) * 0.2).astype(np.float32)


g = GGUFWriter(out, "llama")
g.add_name("tiny-random-llama")
g.add_context_length(2048)
g.add_embedding_length(n_embd)
g.add_block_count(n_layer)
g.add_feed_forward_length(n_ff)
g.add_head_count(n_head)
g.add_head_count_kv(n_kv)
g.add_layer_norm_rms_eps(1e-6)
g.add_rope_dimension_count(head_dim)
g.add_rope_freq_base(10000.0)
g.add_file_type(0)
g.add_tokenizer_model("llama")
g.add_token_list(tokens)
g.add_token_scores(scores)
g.add_token_types(types)
g.add_bos_token_id(1)
g.add_eos_token_id(2)
g.add_unk_token_id(0)
g.add_add_bos_token(True)
g.add_chat_template(
    "{{ bos_token }}A chat between a curious human and an artificial intelligence assistant. "
    "The assistant gives helpful, detailed, and polite answers to the human's questions."
    "{% for m in messages %}{% if m['role'] == 'user' %} USER: {{ m['content'] }}{% else %} ASSISTANT: {{ m['content'] }}</s>{% endif %}{% endfor %}"
    "{% if add_generation_prompt %} ASSISTANT:{% endif %}"
)
g.add_tensor("token_embd.weight", w(n_vocab, n_embd))
for i in range(n_layer):
    g.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(n_embd, np.float32))
    g.add_tensor(f"blk.{i}.attn_q.weight", w(n_embd, n_embd))
    g.add_tensor(f"blk.{i}.attn_k.weight", w(n_kv * head_dim, n_embd))
    g.add_tensor(f"blk.{i}.attn_v.weight", w(n_kv * head_dim, n_embd))
    g.add_tensor(f"blk.{i}.attn_output.weight", w(n_embd, n_embd))
    g.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(n_embd, np.float32))
    g.add_tensor(f"blk.{i}.ffn_gate.weight", w(n_ff, n_embd))
    g.add_tensor(f"blk.{i}.ffn_up.weight", w(n_ff, n_embd))
    g.add_tensor(f"blk.{i}.ffn_down.weight", w(n_embd, n_ff))
g.add_tensor("output_norm.weight", np.ones(n_embd, np.float32))
g.add_tensor("output.weight", w(n_vocab, n_embd))
g.write_header_to_file()
g.write_kv_data_to_file()
g.write_tensors_to_file()
g.close()
print(out)
