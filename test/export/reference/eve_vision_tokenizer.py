# PyTorch reference for the EVE (EVEv1) vision tokenizer, ported line by line from
#   baaivision/EVE @ cc63ec74d9e5eb7f476c2e083eac087b2882f285
#   EVEv1/eve/model/multimodal_encoder/vision_tokenizer.py (LocalAttention, GlobalAttention,
#   VisionTokenizer.forward)
# and the mlp2x_gelu projector of EVEv1/eve/model/multimodal_projector/builder.py.
#
# Differences from the original, and only these:
#   * VisionTokenizer takes patch_stride and conv_stride as constructor arguments instead of reading
#     them from a CLIPImageProcessor (vision_tower_name is gone with it); the unused imports of
#     transformers / eve.constants are dropped.
#   * build_projector() stands for build_vision_projector(config) with mm_projector_type
#     "mlp2x_gelu": nn.Sequential(nn.Linear(mm_hidden, hidden), nn.GELU(), nn.Linear(hidden, hidden)).
# The tensor operations are the original's, in the original order. VisionTokenizer.forward(pixel_values,
# modules) is called with modules = the mm_projector, as EVEv1/eve/model/eve_arch.py encode_images does.
import torch
import torch.nn as nn
import torch.nn.functional as F


class LocalAttention(nn.Module):
    def __init__(self, input_size, conv_stride, num_heads=8):
        super().__init__()
        self.conv_stride = conv_stride
        self.num_heads = num_heads
        self.scale = input_size ** -0.5

        self.q = nn.Sequential(nn.LayerNorm(input_size),
                               nn.Linear(input_size, input_size, bias=False))
        self.kv = nn.Sequential(nn.LayerNorm(input_size),
                                nn.Linear(input_size, input_size * 2, bias=False))
        self.proj = nn.Linear(input_size, input_size)

    def forward(self, features):
        reduce_features = F.avg_pool2d(features, kernel_size=self.conv_stride, stride=self.conv_stride)
        B, C, H, W = features.shape
        _, _, h, w = reduce_features.shape
        N = self.conv_stride ** 2

        reduce_features = reduce_features.flatten(2).transpose(-2, -1)
        patch_q = self.q(reduce_features).reshape(B, h * w, self.num_heads, -1).permute(0, 2, 1, 3).unsqueeze(-2)

        features = features.unfold(2, self.conv_stride, self.conv_stride).unfold(3, self.conv_stride, self.conv_stride)
        features = features.contiguous().view(B, C, h * w, self.conv_stride, self.conv_stride)
        patch_kv = self.kv(features.flatten(3).permute(0, 2, 3, 1))
        patch_kv = patch_kv.reshape(B, h * w, N, 2, self.num_heads, -1).permute(3, 0, 4, 1, 2, 5)

        patch_attn = (patch_q * self.scale * patch_kv[0]).sum(-1)
        patch_attn = patch_attn.softmax(dim=-1)

        aggre_features = (patch_attn.unsqueeze(-1) * patch_kv[1]).sum(-2)
        aggre_features = aggre_features.transpose(1, 2).reshape(B, h * w, -1)

        return reduce_features + self.proj(aggre_features)


class GlobalAttention(nn.Module):
    def __init__(self, input_size, num_heads=8):
        super().__init__()
        self.num_heads = num_heads
        self.scale = input_size ** -0.5

        self.q = nn.Sequential(nn.LayerNorm(input_size),
                               nn.Linear(input_size, input_size, bias=False))
        self.kv = nn.Sequential(nn.LayerNorm(input_size),
                                nn.Linear(input_size, input_size * 2, bias=False))
        self.proj = nn.Linear(input_size, input_size)

    def forward(self, class_feature, features):

        B, N, C = features.shape
        class_feature = class_feature.repeat(B, 1, 1)

        patch_q, patch_kv = self.q(class_feature), self.kv(features)
        patch_q = patch_q.reshape(B, 1, self.num_heads, -1).transpose(1, 2)
        patch_kv = patch_kv.reshape(B, N, 2, self.num_heads, -1).permute(2, 0, 3, 1, 4)

        patch_attn = (patch_q * self.scale * patch_kv[0]).sum(-1)
        patch_attn = patch_attn.softmax(dim=-1)

        aggre_features = (patch_attn.unsqueeze(-1) * patch_kv[1]).sum(-2)
        aggre_features = aggre_features.reshape(B, 1, -1)

        return class_feature + self.proj(aggre_features)


class VisionTokenizer(nn.Module):
    def __init__(self, input_size, output_size, patch_stride, conv_stride):
        super().__init__()

        self.is_loaded = True
        self.hidden_size = input_size

        self.patch_stride, self.conv_stride = patch_stride, conv_stride

        self.patch_embedding = nn.Conv2d(3, input_size, kernel_size=patch_stride, stride=patch_stride, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(input_size))
        self.split_embedding = nn.Parameter(torch.randn(input_size))

        self.local_attention = LocalAttention(input_size, conv_stride)
        self.global_attention = GlobalAttention(input_size)

    def forward(self, pixel_values, modules):
        pixel_values, pixel_masks = pixel_values[:, :-1, :, :], pixel_values[:, -1:, :, :]

        patch_embeds = self.patch_embedding(pixel_values.to(dtype=self.dtype))
        patch_masks = F.avg_pool2d(pixel_masks, kernel_size=self.patch_stride, stride=self.patch_stride)
        assert len(torch.where(patch_masks % 1)[0]) == 0

        patch_embeds_, patch_hw_ = [], []
        for i in range(patch_embeds.shape[0]):
            if patch_masks[i, 0].sum() == 0:
                patch_embed = patch_embeds[i, :, :16, :16]
            else:
                nonzero_indices = torch.nonzero(patch_masks[i, 0], as_tuple=False)
                h1, w1 = nonzero_indices[0]
                h2, w2 = nonzero_indices[-1]
                patch_embed = patch_embeds[i, :, h1:h2+1, w1:w2+1]

            H, W = patch_embed.shape[1:]
            h, w = H // self.conv_stride, W // self.conv_stride
            patch_embed = self.local_attention(patch_embed.unsqueeze(0))
            class_embed = self.class_embedding[None, None, :].to(dtype=self.dtype)
            class_embed = self.global_attention(class_embed, patch_embed)[0]

            patch_embed = patch_embed.transpose(-2, -1).reshape(-1, h, w)
            split_embed = self.split_embedding[:, None, None].repeat(1, h, 1)

            patch_embed = torch.cat([patch_embed, split_embed.to(dtype=self.dtype)], dim=-1)
            patch_embed = patch_embed.flatten(1).transpose(0, 1)
            patch_embeds_.append(modules(torch.cat([class_embed, patch_embed], dim=0)))
            patch_hw_.append(torch.LongTensor([h, w]).to(self.device))

        return patch_embeds_, patch_hw_

    @property
    def dtype(self):
        return self.patch_embedding.weight.dtype

    @property
    def device(self):
        return self.patch_embedding.weight.device


def build_projector(mm_hidden_size, hidden_size):
    # build_vision_projector with mm_projector_type "mlp2x_gelu" (mlp_depth 2).
    return nn.Sequential(nn.Linear(mm_hidden_size, hidden_size), nn.GELU(), nn.Linear(hidden_size, hidden_size))
