"""What the checkers and the grader say, in English and in Korean, keyed by message id.

The language is chosen, not translated at run time: :func:`text` looks a message up in
:data:`MESSAGES` and formats it. The language comes from :func:`language`:

* inside :func:`use_language` (the grader wraps its verdicts in the source notebook's language,
  see :func:`cnncourse.grading.source.notebook_language`, or ``--lang``);
* otherwise the environment variable ``CNNCOURSE_LANG`` (``ko`` on a Korean JupyterHub), which is
  how ``homework.check`` in a student's notebook speaks Korean while the code cells stay the same;
* otherwise English.
"""
from __future__ import annotations

import contextlib
import contextvars
import os

LANGUAGES = ("en", "ko")
_CHOSEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("cnncourse_lang", default=None)


def normalize(lang) -> str:
    """``"ko"`` for ko, ko_KR, ko-KR.UTF-8 …; ``"en"`` for anything else that is set."""
    value = str(lang or "").strip().lower().replace("-", "_")
    return "ko" if value.split("_")[0].split(".")[0] == "ko" else "en"


def language() -> str:
    chosen = _CHOSEN.get()
    if chosen:
        return chosen
    return normalize(os.environ.get("CNNCOURSE_LANG", "en"))


@contextlib.contextmanager
def use_language(lang):
    """Speak ``lang`` (en or ko) inside the block; ``None`` keeps the current choice."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}.")
    token = _CHOSEN.set(lang) if lang is not None else None
    try:
        yield
    finally:
        if token is not None:
            _CHOSEN.reset(token)


def text(message_id: str, /, **fields) -> str:
    """Message ``message_id`` in the current language, formatted with ``fields``."""
    entry = MESSAGES[message_id]
    return entry[language()].format(**fields)


# id: {"en": English (unchanged from before the table), "ko": Korean}
MESSAGES: dict[str, dict[str, str]] = {
    # ---- the pass line, failures, "not done yet" (cnncourse.homework) ----
    "pass_mark": {"en": "✓ passed:", "ko": "✓ 통과:"},
    "not_done": {"en": "not done yet", "ko": "아직 풀지 않음"},
    "hint_joiner": {"en": "{problem} Hint: {hint}", "ko": "{problem} 힌트: {hint}"},
    "check_error_label": {"en": "✗ HomeworkCheckError:", "ko": "✗ HomeworkCheckError(확인 실패):"},
    "reviewed_note": {"en": " — but it calls {calls}: the exercise asks for {computation}, so your "
                            "lecturer will review it",
                      "ko": " — 하지만 {calls}을(를) 호출한다. 이 문제는 {computation}을(를) 요구하므로 "
                            "강의자가 검토한다"},
    "computation.hand": {"en": "the arithmetic by hand", "ko": "손으로 한 산술 계산"},
    "computation.hw2": {"en": "the sliding-window sums themselves, in NumPy",
                        "ko": "NumPy로 직접 계산한 미끄러지는 창의 합"},
    "computation.hw2_pool": {"en": "the window maxima themselves, in NumPy",
                             "ko": "NumPy로 직접 구한 창의 최댓값"},
    "computation.hw3": {"en": "the layers themselves, with keras.layers",
                        "ko": "keras.layers로 직접 쌓은 층"},
    "computation.hw4": {"en": "the block itself, with keras.layers",
                        "ko": "keras.layers로 직접 만든 블록"},
    "computation.formula": {"en": "the formula itself", "ko": "직접 세운 공식"},
    "computation.work": {"en": "the work", "ko": "풀이"},
    # ---- results of a call (outcome) ----
    "outcome.not_done": {"en": "{what} still raises NotImplementedError. Hint: replace the "
                               "`raise NotImplementedError()` line with your code.",
                         "ko": "{what}이(가) 아직 NotImplementedError를 낸다. 힌트: "
                               "`raise NotImplementedError()` 줄을 지우고 그 자리에 코드를 쓰자."},
    "outcome.bad_return": {"en": "{what} returned {message}.", "ko": "{what}이(가) {message}을(를) 돌려주었다."},
    "outcome.bad_return.hint": {
        "en": "return the result (for a Keras block: the output tensor of its last layer; for a "
              "builder: a keras.Model).",
        "ko": "결과를 return하자(Keras 블록이면 마지막 층의 출력 텐서, 모델을 만드는 함수면 keras.Model)."},
    "outcome.not_callable": {"en": "{name} must be a function, got {message}.",
                             "ko": "{name}은(는) 함수여야 하는데 {message}이(가) 왔다."},
    "outcome.not_callable.hint": {"en": "pass the function itself, without calling it (no parentheses).",
                                  "ko": "함수를 호출하지 말고(괄호 없이) 함수 자체를 넘기자."},
    "outcome.raised": {"en": "{what} raised {ename}: {message}", "ko": "{what}에서 {ename} 오류가 났다: {message}"},
    # ---- answers' form (whole, whole_list, answer_dict) ----
    "whole.type": {"en": "{what} must be a number, got a {type}{shown}.",
                   "ko": "{what}은(는) 수여야 하는데 {type}{shown}이(가) 왔다."},
    "whole.type.hint": {"en": "store the number itself (no quotes), computed with the arithmetic that "
                              "gives it, using the formulas at the top of the notebook.",
                        "ko": "노트북 맨 위의 공식을 써서, 그 수가 나오는 산술식으로 계산한 수 자체를 따옴표 "
                              "없이 저장하자."},
    "whole.fraction": {"en": "{what} = {answer} is not a whole number.",
                       "ko": "{what} = {answer}은(는) 정수가 아니다."},
    "whole.fraction.hint": {"en": "sizes and counts are whole numbers: where the formula divides, "
                                  "round down with //.",
                            "ko": "크기와 개수는 정수다. 공식에서 나누는 곳은 //로 내림하자."},
    "list.type": {"en": "{what} must be a list of {length} numbers (one per {entries}), got {type}.",
                  "ko": "{what}은(는) 수 {length}개({entries}마다 하나)의 리스트여야 하는데 {type}이(가) 왔다."},
    "list.length": {"en": "{what} has {got} entries; it needs {length}, one per {entries}.",
                    "ko": "{what}의 원소는 {got}개다. {entries}마다 하나씩 {length}개가 필요하다."},
    "dict.type": {"en": "{what} must be a dict with the keys {keys}, got {type}.",
                  "ko": "{what}은(는) 키가 {keys}인 딕셔너리여야 하는데 {type}이(가) 왔다."},
    "dict.keys": {"en": "{what} must have exactly the keys {keys}{missing}{extra}.",
                  "ko": "{what}의 키는 정확히 {keys}여야 한다{missing}{extra}."},
    "dict.missing": {"en": "; missing {keys}", "ko": "; 빠진 키: {keys}"},
    "dict.extra": {"en": "; unexpected {keys}", "ko": "; 필요 없는 키: {keys}"},
    # ---- hw1 hints ----
    "hw1.bias": {"en": "remember the bias: one per {per}.", "ko": "편향을 잊지 말자. {per}마다 하나씩 있다."},
    "hw1.per.filter": {"en": "filter", "ko": "필터"},
    "hw1.per.unit": {"en": "output unit", "ko": "출력 유닛"},
    "hw1.conv_count": {"en": "a convolution has (k_h * k_w * C_in + 1) * C_out parameters; C_in is the "
                             "number of maps coming in from the layer before.",
                       "ko": "합성곱의 파라미터는 (k_h * k_w * C_in + 1) * C_out개다. C_in은 앞 층에서 "
                             "들어오는 맵의 수다."},
    "hw1.dense_count": {"en": "a dense layer has (inputs + 1) * units parameters; inputs is the length "
                              "of the vector coming in from the layer before.",
                        "ko": "완전 연결층의 파라미터는 (입력 수 + 1) * 유닛 수다. 입력 수는 앞 층에서 들어오는 "
                              "벡터의 길이다."},
    "hw1.count_wrong": {"en": "{what}[{i}] ({label}, a {type} layer) = {value:,} is not its parameter count.",
                        "ko": "{what}[{i}] ({label}, {type} 층) = {value:,}은(는) 이 층의 파라미터 수가 아니다."},
    "hw1.c1_side": {"en": "C1 does not map 32x32 to {got}x{got}.", "ko": "C1은 32x32를 {got}x{got}로 바꾸지 않는다."},
    "hw1.c1_side.hint": {"en": "out = (n + 2p - f) / s + 1 with n = 32, f = 5, p = 0, s = 1.",
                         "ko": "n = 32, f = 5, p = 0, s = 1일 때 out = (n + 2p - f) / s + 1이다."},
    "hw1.c1_side.ok": {"en": "C1 maps 32x32 to {got}x{got}", "ko": "C1은 32x32를 {got}x{got}로 바꾼다"},
    "hw1.c1_params": {"en": "C1 does not have {got:,} parameters.", "ko": "C1의 파라미터는 {got:,}개가 아니다."},
    "hw1.c1_params.ok": {"en": "C1 has {got:,} parameters", "ko": "C1의 파라미터는 {got:,}개다"},
    "hw1.lenet_layers": {"en": "layer C1, S2, C3, S4", "ko": "층 C1, S2, C3, S4"},
    "hw1.lenet_side": {"en": "lenet_sides[{i}] ({name}) = {value} is not the side of its output.",
                       "ko": "lenet_sides[{i}] ({name}) = {value}은(는) 이 층 출력의 한 변이 아니다."},
    "hw1.lenet_side.hint": {"en": "a 5x5 convolution without padding loses 4 pixels; a 2x2 pool with "
                                  "stride 2 halves the side. Start from the side the layer before gives.",
                            "ko": "패딩 없는 5x5 합성곱은 4픽셀을 잃고, 스트라이드 2인 2x2 풀링은 한 변을 "
                                  "절반으로 줄인다. 앞 층이 내놓는 한 변에서 시작하자."},
    "hw1.sides.ok": {"en": "sides {sides}", "ko": "한 변 {sides}"},
    "hw1.layer_list": {"en": "layer {names}", "ko": "층 {names}"},
    "hw1.lenet_params.ok": {"en": "LeNet-5 has {total:,} parameters", "ko": "LeNet-5의 파라미터는 {total:,}개다"},
    "hw1.alexnet_wrong": {"en": "alexnet_conv1_sides[{key!r}] = {got} is wrong.",
                          "ko": "alexnet_conv1_sides[{key!r}] = {got}은(는) 틀렸다."},
    "hw1.out_227.hint": {"en": "(227 - 11) / 4 + 1 is a whole number.", "ko": "(227 - 11) / 4 + 1은 정수다."},
    "hw1.out_224.hint": {"en": "(224 - 11) / 4 is not whole: the last window that fits sets the size, "
                               "so round down (//) before adding 1.",
                         "ko": "(224 - 11) / 4는 정수가 아니다. 들어맞는 마지막 창이 크기를 정하므로, 1을 "
                               "더하기 전에 //로 내림하자."},
    "hw1.unused_224.hint": {"en": "the last window starts at pixel 4 * (out_224 - 1) and covers 11 "
                                  "pixels; count the pixels after it.",
                            "ko": "마지막 창은 픽셀 4 * (out_224 - 1)에서 시작해 11픽셀을 덮는다. 그 뒤에 남는 "
                                  "픽셀을 세자."},
    "hw1.alexnet.ok": {"en": "227 -> {a}x{a}; 224 -> {b}x{b} with {c} pixel unused",
                       "ko": "227 -> {a}x{a}; 224 -> {b}x{b}, 쓰이지 않는 픽셀 {c}개"},
    "hw1.alexnet_params": {"en": "conv1 does not have {got:,} parameters.", "ko": "conv1의 파라미터는 {got:,}개가 아니다."},
    "hw1.alexnet_params.ok": {"en": "conv1 has {got:,} parameters", "ko": "conv1의 파라미터는 {got:,}개다"},
    "hw1.max_pool": {"en": "max pool", "ko": "최대 풀링"},
    "hw1.vgg_side": {"en": "vgg16_sides[{i}] (after pool{n}) = {value} is wrong.",
                     "ko": "vgg16_sides[{i}] (pool{n} 다음) = {value}은(는) 틀렸다."},
    "hw1.vgg_side.hint": {"en": "a 3x3 convolution with padding 1 keeps the side; each 2x2 pool halves it.",
                          "ko": "패딩 1인 3x3 합성곱은 한 변을 유지하고, 2x2 풀링은 매번 절반으로 줄인다."},
    "hw1.conv_fc": {"en": "conv and fc layer", "ko": "합성곱층과 완전 연결층"},
    "hw1.vgg_params.ok": {"en": "VGG-16 layers add up to {total:,} parameters",
                          "ko": "VGG-16 층들의 파라미터를 더하면 {total:,}개다"},
    "hw1.with_biases": {"en": "vgg16_totals['with_biases'] = {got:,} is not VGG-16's total.",
                        "ko": "vgg16_totals['with_biases'] = {got:,}은(는) VGG-16의 전체 파라미터 수가 아니다."},
    "hw1.with_biases.hint": {"en": "add up the 16 counts of the previous exercise (sum(vgg16_params)).",
                             "ko": "앞 문제의 16개 수를 모두 더하자(sum(vgg16_params))."},
    "hw1.without_biases": {"en": "vgg16_totals['without_biases'] = {got:,} is wrong.",
                           "ko": "vgg16_totals['without_biases'] = {got:,}은(는) 틀렸다."},
    "hw1.without_biases.hint": {"en": "take away one bias per filter of each conv layer and one per unit "
                                      "of each fc layer.",
                                "ko": "합성곱층은 필터마다, 완전 연결층은 유닛마다 편향 하나씩을 빼자."},
    "hw1.totals.ok": {"en": "{a:,} with biases, {b:,} without ({c:,} biases)",
                      "ko": "편향 포함 {a:,}개, 편향 제외 {b:,}개(편향 {c:,}개)"},
    "hw1.key_wrong": {"en": "{what}[{key!r}] = {got:,} is wrong.", "ko": "{what}[{key!r}] = {got:,}은(는) 틀렸다."},
    "hw1.conv_weights": {"en": "a k x k convolution from C_in to C_out maps has k * k * C_in * C_out "
                               "weights (no bias here).",
                         "ko": "맵 C_in장을 C_out장으로 바꾸는 k x k 합성곱의 가중치는 k * k * C_in * C_out개다"
                               "(여기서는 편향이 없다)."},
    "hw1.bottleneck.params": {"en": "{conv} Add the three convolutions.", "ko": "{conv} 세 합성곱을 더하자."},
    "hw1.bottleneck.macs": {"en": "every output value of a convolution takes k * k * C_in "
                                  "multiply-accumulates; multiply by H_out * W_out * C_out and add the "
                                  "three layers.",
                            "ko": "합성곱의 출력 값 하나에는 곱셈-누산이 k * k * C_in번 든다. 여기에 "
                                  "H_out * W_out * C_out을 곱하고 세 층을 더하자."},
    "hw1.bottleneck.plain": {"en": "{conv} Here two 3x3 convolutions from 256 to 256 maps.",
                             "ko": "{conv} 여기서는 맵 256장에서 256장으로 가는 3x3 합성곱 두 개다."},
    "hw1.bottleneck.ok": {"en": "{params:,} parameters, {ratio:.1f}x fewer than two 3x3 layers",
                          "ko": "파라미터 {params:,}개, 3x3 두 층보다 {ratio:.1f}배 적다"},
    "hw1.separable.params": {"en": "the depthwise step has one k x k filter per input map (k * k * C_in); "
                                   "the 1x1 step has C_in * C_out weights.",
                             "ko": "깊이별 단계에는 입력 맵마다 k x k 필터가 하나씩 있고(k * k * C_in), 1x1 "
                                   "단계의 가중치는 C_in * C_out개다."},
    "hw1.separable.macs": {"en": "each step costs its weights times the output pixels H_out * W_out "
                                 "(stride 1, 'same' padding keeps 112 x 112).",
                           "ko": "각 단계의 비용은 가중치 수 곱하기 출력 픽셀 수 H_out * W_out이다(스트라이드 1, "
                                 "'same' 패딩이면 112 x 112가 유지된다)."},
    "hw1.separable.standard_params": {"en": "a standard convolution has k * k * C_in * C_out weights.",
                                      "ko": "표준 합성곱의 가중치는 k * k * C_in * C_out개다."},
    "hw1.separable.standard_macs": {"en": "k * k * C_in * C_out weights, each used at H_out * W_out pixels.",
                                    "ko": "가중치 k * k * C_in * C_out개가 각각 H_out * W_out개 픽셀에서 쓰인다."},
    "hw1.separable.ok": {"en": "{ratio:.1f}x fewer MACs than the standard convolution",
                         "ko": "표준 합성곱보다 MAC이 {ratio:.1f}배 적다"},
    # ---- hw2 ----
    "hw2.not_array": {"en": "{what} did not return an array of numbers ({error}).",
                      "ko": "{what}이(가) 수의 배열을 돌려주지 않았다({error})."},
    "hw2.shape": {"en": "{what} returned shape {got}, expected {expected}.",
                  "ko": "{what}이(가) 모양 {got}을(를) 돌려주었는데, 기대한 모양은 {expected}다."},
    "hw2.shape.hint": {"en": "each output side is (n + 2p - f) // s + 1; the batch axis and (for a layer) "
                             "the output channels stay in place: (N, H_out, W_out, C_out).",
                       "ko": "출력의 각 변은 (n + 2p - f) // s + 1이다. 배치 축과 (층이라면) 출력 채널은 제자리에 "
                             "둔다: (N, H_out, W_out, C_out)."},
    "hw2.flipped": {"en": "you flipped the kernel: a CNN 'convolution' slides the kernel as it is "
                          "(cross-correlation).",
                    "ko": "커널을 뒤집었다. CNN의 '합성곱'은 커널을 그대로 밀며 계산한다(상호 상관)."},
    "hw2.correlate.hint": {"en": "output[i, j] = sum over u, v of kernel[u, v] * image[i + u, j + v].",
                           "ko": "output[i, j] = u, v에 대한 kernel[u, v] * image[i + u, j + v]의 합."},
    "hw2.correlate.slide": {"en": "on the slide's 5x5 example correlate2d returns {got}, the slide has {expected}.",
                            "ko": "슬라이드의 5x5 예제에서 correlate2d는 {got}을(를) 돌려주는데, 슬라이드의 값은 {expected}다."},
    "hw2.correlate.random": {"en": "on a random {h}x{w} image with a {kh}x{kw} kernel correlate2d disagrees "
                                   "with cnncourse.ops.correlate2d.",
                             "ko": "{kh}x{kw} 커널과 무작위 {h}x{w} 이미지에서 correlate2d의 결과가 "
                                   "cnncourse.ops.correlate2d와 다르다."},
    "hw2.correlate.ok": {"en": "the slide's example and a random image agree with cnncourse.ops",
                         "ko": "슬라이드 예제와 무작위 이미지에서 cnncourse.ops와 결과가 같다"},
    "hw2.no_bias": {"en": "conv2d(x, w, b) ignores the bias.", "ko": "conv2d(x, w, b)가 편향을 무시한다."},
    "hw2.no_bias.hint": {"en": "add b[k] to every output value of filter k.", "ko": "필터 k의 모든 출력 값에 b[k]를 더하자."},
    "hw2.conv": {"en": "conv2d(x, w, b) with {shapes} disagrees with cnncourse.ops.conv2d.",
                 "ko": "{shapes}에서 conv2d(x, w, b)의 결과가 cnncourse.ops.conv2d와 다르다."},
    "hw2.conv.hint": {"en": "output[n, i, j, k] = b[k] + sum over u, v, c of x[n, i + u, j + v, c] * w[u, v, c, k].",
                      "ko": "output[n, i, j, k] = b[k] + u, v, c에 대한 x[n, i + u, j + v, c] * w[u, v, c, k]의 합."},
    "hw2.conv_nobias": {"en": "conv2d(x, w) without a bias disagrees with cnncourse.ops.conv2d.",
                        "ko": "편향 없는 conv2d(x, w)의 결과가 cnncourse.ops.conv2d와 다르다."},
    "hw2.conv_nobias.hint": {"en": "b=None means no bias: add nothing.", "ko": "b=None이면 편향이 없다. 아무것도 더하지 말자."},
    "hw2.conv.ok": {"en": "random batches, with and without a bias, agree with cnncourse.ops",
                    "ko": "편향이 있을 때와 없을 때 모두 무작위 배치에서 cnncourse.ops와 결과가 같다"},
    "hw2.stride_one.hint": {"en": "that is the stride-1 result's corner: move the window s pixels at a time, "
                                  "output[i, j] starts at input row i * s, column j * s.",
                            "ko": "그것은 스트라이드 1 결과의 한 귀퉁이다. 창을 한 번에 s픽셀씩 옮기자. output[i, j]는 "
                                  "입력의 i * s행, j * s열에서 시작한다."},
    "hw2.pad_first.hint": {"en": "pad the input with p zeros on every side first, then take windows s apart.",
                           "ko": "먼저 입력의 모든 변에 0을 p개씩 덧대고, 창을 s씩 떨어뜨려 잡자."},
    "hw2.stride.slide": {"en": "on the slide's padded, strided example {what} returns {got}, expected {expected}.",
                         "ko": "슬라이드의 패딩·스트라이드 예제에서 {what}은(는) {got}을(를) 돌려주는데, 기대한 값은 {expected}다."},
    "hw2.stride.random": {"en": "{what} on a random {h}x{w} image disagrees with cnncourse.ops.conv2d.",
                          "ko": "무작위 {h}x{w} 이미지에서 {what}의 결과가 cnncourse.ops.conv2d와 다르다."},
    "hw2.stride.random.hint": {"en": "pad first (np.pad on the H and W axes only), then start window (i, j) at "
                                     "row i * stride, column j * stride.",
                               "ko": "먼저 패딩하고(np.pad는 H와 W 축에만), 창 (i, j)를 i * stride행, "
                                     "j * stride열에서 시작하자."},
    "hw2.stride.ok": {"en": "the slide's example and random strides 2 and 3 agree with cnncourse.ops",
                      "ko": "슬라이드 예제와 스트라이드 2, 3인 무작위 배열에서 cnncourse.ops와 결과가 같다"},
    "hw2.pool.slide": {"en": "on the slide's 4x4 example max_pool2d returns {got}, expected {expected}.",
                       "ko": "슬라이드의 4x4 예제에서 max_pool2d는 {got}을(를) 돌려주는데, 기대한 값은 {expected}다."},
    "hw2.pool.slide.hint": {"en": "take the largest value of each size x size window; windows start stride apart.",
                            "ko": "size x size 창마다 가장 큰 값을 고르자. 창은 stride만큼 떨어져서 시작한다."},
    "hw2.pool.random": {"en": "{what} on a random {shape} batch disagrees with cnncourse.ops.max_pool2d.",
                        "ko": "무작위 {shape} 배치에서 {what}의 결과가 cnncourse.ops.max_pool2d와 다르다."},
    "hw2.pool.average.hint": {"en": "that is average pooling: take the maximum.", "ko": "그것은 평균 풀링이다. 최댓값을 고르자."},
    "hw2.pool.channels.hint": {"en": "pool each channel on its own; a window never mixes channels or images.",
                               "ko": "채널마다 따로 풀링하자. 창 하나가 채널이나 이미지를 섞지 않는다."},
    "hw2.pool.ok": {"en": "the slide's example and random overlapping 3x3/2 pools agree with cnncourse.ops",
                    "ko": "슬라이드 예제와 겹치는 3x3/2 무작위 풀링에서 cnncourse.ops와 결과가 같다"},
    # ---- hw3 ----
    "hw3.not_model": {"en": "{what} must return a keras.Model, got {type}.",
                      "ko": "{what}은(는) keras.Model을 돌려주어야 하는데 {type}이(가) 왔다."},
    "hw3.not_model.hint": {"en": "end with `return keras.Model(inputs, outputs)`.",
                           "ko": "`return keras.Model(inputs, outputs)`로 끝내자."},
    "hw3.layer_text": {"en": "{name!r} ({type}, {params:,} parameters)", "ko": "{name!r} ({type}, 파라미터 {params:,}개)"},
    "hw3.type.hint": {"en": "the zoo has a {theirs} here, yours is a {mine}.",
                      "ko": "모델 모음의 이 자리에는 {theirs}가 있는데, 여러분의 것은 {mine}이다."},
    "hw3.extra_bias.hint": {"en": "a convolution followed by BatchNorm has no bias: use_bias=False.",
                            "ko": "배치 정규화가 뒤따르는 합성곱에는 편향이 없다: use_bias=False."},
    "hw3.missing_bias.hint": {"en": "remember the bias: one per filter (use_bias=True is the Keras default).",
                              "ko": "편향을 잊지 말자. 필터마다 하나씩 있다(Keras의 기본값은 use_bias=True)."},
    "hw3.compare.hint": {"en": "compare kernel size, number of filters and the number of maps coming in "
                               "with the paper's table.",
                         "ko": "커널 크기, 필터 수, 들어오는 맵의 수를 논문의 표와 비교하자."},
    "hw3.total": {"en": " In all, yours has {n} such layers and {p:,} parameters; the zoo's has {zn} and {zp:,}.",
                  "ko": " 모두 합치면 여러분의 모델에는 이런 층이 {n}개, 파라미터가 {p:,}개 있고, 모델 모음의 것에는 "
                        "{zn}개와 {zp:,}개가 있다."},
    "hw3.replace": {"en": "{what}: parameter layer {i}, {mine}, differs from the zoo's {theirs} by {diff:+,}.{total}",
                    "ko": "{what}: 파라미터 층 {i}번 {mine}이(가) 모델 모음의 {theirs}와 {diff:+,}만큼 다르다.{total}"},
    "hw3.delete": {"en": "{what}: parameter layer {i}, {mine}, has no counterpart in the zoo's model.{total}",
                   "ko": "{what}: 파라미터 층 {i}번 {mine}에 해당하는 층이 모델 모음의 모델에 없다.{total}"},
    "hw3.delete.hint": {"en": "remove it, or check the layers around it.", "ko": "그 층을 지우거나 주변 층을 확인하자."},
    "hw3.insert": {"en": "{what}: the zoo's model has {theirs} at parameter layer {j}, which yours lacks.{total}",
                   "ko": "{what}: 모델 모음의 모델은 파라미터 층 {j}번에 {theirs}이(가) 있는데, 여러분의 모델에는 없다.{total}"},
    "hw3.insert.hint": {"en": "compare your stages with the paper's table.", "ko": "여러분의 단계들을 논문의 표와 비교하자."},
    "hw3.output": {"en": "{what} outputs shape {got}, expected {expected}.",
                   "ko": "{what}의 출력 모양은 {got}인데, 기대한 모양은 {expected}다."},
    "hw3.output.hint": {"en": "end with a Dense layer of num_classes units and a softmax.",
                        "ko": "유닛 num_classes개와 소프트맥스가 있는 Dense 층으로 끝내자."},
    "hw3.vgg16.ok": {"en": "{n:,} trainable parameters, every layer matches the zoo's vgg16",
                     "ko": "학습 가능한 파라미터 {n:,}개, 모든 층이 모델 모음의 vgg16과 같다"},
    "hw3.identity": {"en": "an identity block", "ko": "항등 블록"},
    "hw3.downsampling": {"en": "a downsampling block", "ko": "크기를 줄이는 블록"},
    "hw3.block_shape": {"en": "{what} ({label}) returns shape {got}, expected {expected}.",
                        "ko": "{what} ({label})이(가) 모양 {got}을(를) 돌려주는데, 기대한 모양은 {expected}다."},
    "hw3.block_shape.hint": {"en": "the first 3x3 convolution carries the stride; when the shape changes, the "
                                   "shortcut needs a 1x1 convolution with the same stride (and BatchNorm).",
                             "ko": "스트라이드는 첫 3x3 합성곱이 맡는다. 모양이 바뀌면 지름길에 같은 스트라이드의 1x1 "
                                   "합성곱(과 배치 정규화)이 필요하다."},
    "hw3.block.ok": {"en": "identity and downsampling blocks match the zoo's resnet34",
                     "ko": "항등 블록과 크기를 줄이는 블록이 모델 모음의 resnet34와 같다"},
    "hw3.resnet34.ok": {"en": "{n:,} trainable parameters, every layer matches the zoo's resnet34",
                        "ko": "학습 가능한 파라미터 {n:,}개, 모든 층이 모델 모음의 resnet34와 같다"},
    # ---- hw4 ----
    "hw4.not_tensor": {"en": "{what} must return the output tensor of its last layer, got {type}.",
                       "ko": "{what}은(는) 마지막 층의 출력 텐서를 돌려주어야 하는데 {type}이(가) 왔다."},
    "hw4.not_tensor.hint": {"en": "write it with the functional API: y = layers.Dense(...)(x) ... return y.",
                            "ko": "함수형 API로 쓰자: y = layers.Dense(...)(x) ... return y."},
    "hw4.shape": {"en": "{what} returns shape {got}; it must keep the input's {expected}.",
                  "ko": "{what}이(가) 모양 {got}을(를) 돌려준다. 입력의 모양 {expected}을(를) 유지해야 한다."},
    "hw4.weights": {"en": "{what}: your weights ({mine}) do not line up with the reference's ({theirs}).",
                    "ko": "{what}: 여러분의 가중치({mine})가 기준 구현의 가중치({theirs})와 맞지 않는다."},
    "hw4.weights.hint": {"en": "create the layers in the order of the paper's figure, one Dense per fully "
                               "connected step, with biases.",
                         "ko": "논문 그림의 순서대로 층을 만들고, 완전 연결 단계마다 편향이 있는 Dense 하나를 쓰자."},
    "hw4.se.budget": {"en": "{what} has {got:,} parameters, the budget is exactly {expected:,} (2C²/r + C/r + C "
                            "with C = {c}, r = {r}); yours differs by {diff:+,}.",
                      "ko": "{what}의 파라미터는 {got:,}개인데, 정해진 수는 정확히 {expected:,}개다(C = {c}, "
                            "r = {r}일 때 2C²/r + C/r + C). 차이는 {diff:+,}개다."},
    "hw4.se.budget.hint": {"en": "squeeze with global average pooling (no weights), then Dense(C // r) with ReLU "
                                 "and Dense(C) with sigmoid, both with biases.",
                           "ko": "전역 평균 풀링(가중치 없음)으로 압축하고, ReLU가 붙은 Dense(C // r)와 시그모이드가 "
                                 "붙은 Dense(C)를 쓰자. 둘 다 편향이 있다."},
    "hw4.se.output": {"en": "{what}, with the reference's weights copied in, differs from "
                            "cnncourse.models.senet.se_block by up to {gap:.3g}.",
                      "ko": "기준 구현의 가중치를 복사해 넣은 {what}의 출력이 cnncourse.models.senet.se_block과 "
                            "최대 {gap:.3g}만큼 다르다."},
    "hw4.se.output.hint": {"en": "ReLU after the first Dense, sigmoid after the second, then multiply every "
                                 "channel of the input x (not the pooled vector) by its weight.",
                           "ko": "첫 Dense 뒤에 ReLU, 두 번째 Dense 뒤에 시그모이드를 두고, (풀링한 벡터가 아니라) "
                                 "입력 x의 각 채널에 그 가중치를 곱하자."},
    "hw4.se.ok": {"en": "{got:,} parameters; same output as cnncourse.models.senet.se_block",
                  "ko": "파라미터 {got:,}개; 출력이 cnncourse.models.senet.se_block과 같다"},
    "hw4.mixer.budget": {"en": "{what} has {got:,} parameters, the budget is exactly {expected:,}; yours "
                               "differs by {diff:+,}.",
                         "ko": "{what}의 파라미터는 {got:,}개인데, 정해진 수는 정확히 {expected:,}개다. 차이는 "
                               "{diff:+,}개다."},
    "hw4.mixer.budget.hint": {"en": "token mixing is an MLP over the S tokens (Dense(D_S), Dense(S) on the "
                                    "transposed table), channel mixing an MLP over the C channels (Dense(D_C), "
                                    "Dense(C)); each starts with a LayerNormalization.",
                              "ko": "토큰 믹싱은 토큰 S개에 걸친 MLP(전치한 표 위의 Dense(D_S), Dense(S))이고, 채널 "
                                    "믹싱은 채널 C개에 걸친 MLP(Dense(D_C), Dense(C))다. 둘 다 LayerNormalization으로 "
                                    "시작한다."},
    "hw4.mixer.close.hint": {"en": "close, so the structure is right: use LayerNormalization(epsilon=1e-6) and "
                                   "the exact GELU (activation='gelu').",
                             "ko": "차이가 작으니 구조는 맞다. LayerNormalization(epsilon=1e-6)과 정확한 GELU"
                                   "(activation='gelu')를 쓰자."},
    "hw4.mixer.far.hint": {"en": "add each MLP's output to its input (two skip connections), and transpose to "
                                 "(N, C, S) before the token MLP and back after it.",
                           "ko": "각 MLP의 출력을 그 입력에 더하고(스킵 연결 두 개), 토큰 MLP 앞에서 (N, C, S)로 "
                                 "전치했다가 뒤에서 되돌리자."},
    "hw4.mixer.output": {"en": "{what}, with the reference's weights copied in, differs from "
                               "cnncourse.models.mixer.mixer_block by up to {gap:.3g}.",
                         "ko": "기준 구현의 가중치를 복사해 넣은 {what}의 출력이 cnncourse.models.mixer.mixer_block과 "
                               "최대 {gap:.3g}만큼 다르다."},
    "hw4.mixer.ok": {"en": "{got:,} parameters; same output as cnncourse.models.mixer.mixer_block",
                     "ko": "파라미터 {got:,}개; 출력이 cnncourse.models.mixer.mixer_block과 같다"},
    "hw4.params.named": {"en": "one Mixer-{name} layer", "ko": "Mixer-{name} 층 하나"},
    "hw4.params.sizes": {"en": "a Mixer layer of these sizes", "ko": "이 크기의 Mixer 층"},
    "hw4.params.wrong": {"en": "{what} = {got:,} is not the parameter count of {label} (yours differs by {diff:+,}).",
                         "ko": "{what} = {got:,}은(는) {label}의 파라미터 수가 아니다(차이 {diff:+,})."},
    "hw4.params.hint": {"en": "count two LayerNorms (a scale and an offset per channel) and two MLPs of two "
                              "Dense layers with biases: the token MLP maps S -> D_S -> S, the channel MLP "
                              "C -> D_C -> C.",
                        "ko": "LayerNorm 두 개(채널마다 배율과 이동 값 하나씩)와, 편향이 있는 Dense 두 층으로 된 MLP "
                              "두 개를 세자. 토큰 MLP는 S -> D_S -> S, 채널 MLP는 C -> D_C -> C다."},
    "hw4.params.ok": {"en": "the formula matches Mixer-S/32, B/16 and H/14 layers and random sizes built in Keras",
                      "ko": "공식이 Keras로 만든 Mixer-S/32, B/16, H/14 층과 무작위 크기의 층에 맞는다"},
    # ---- the grader's rows and the feedback page (cnncourse.grading) ----
    "grade.timeout": {"en": "ran longer than {seconds:g} s and was stopped; look for a loop that never ends "
                            "or work that grows too fast",
                      "ko": "{seconds:g}초보다 오래 실행되어 중단되었다. 끝나지 않는 반복문이나 너무 빨리 커지는 "
                            "계산이 있는지 살펴보자"},
    "grade.crash": {"en": "your code ended the Python process (out of memory, or os._exit)",
                    "ko": "코드가 파이썬 프로세스를 끝내 버렸다(메모리 부족 또는 os._exit)"},
    "grade.deadline": {"en": "the notebook ran past its overall deadline before this exercise",
                       "ko": "이 문제에 이르기 전에 노트북 전체의 제한 시간이 지났다"},
    "grade.not_reached": {"en": "the notebook stopped before this exercise was reached",
                          "ko": "이 문제에 이르기 전에 노트북이 멈췄다"},
    "grade.still_raises": {"en": "{not_done}: the solution cell still raises NotImplementedError",
                           "ko": "{not_done}: 풀이 셀이 아직 NotImplementedError를 낸다"},
    "grade.cell_raised": {"en": "your solution cell raised {ename}: {message}",
                          "ko": "풀이 셀에서 {ename} 오류가 났다: {message}"},
    "grade.undefined": {"en": "`{expression}` is not defined when the check runs: {message}",
                        "ko": "확인할 때 `{expression}`이(가) 정의되어 있지 않다: {message}"},
    "grade.reading_raised": {"en": "reading `{expression}` raised {ename}: {message}",
                             "ko": "`{expression}`을(를) 읽다가 {ename} 오류가 났다: {message}"},
    "grade.malformed": {"en": "the answer record is malformed", "ko": "답의 기록이 손상되었다"},
    "grade.unchecked": {"en": "the answer could not be checked ({ename}: {message})",
                        "ko": "답을 확인할 수 없었다({ename}: {message})"},
    "grade.review": {"en": "the answer is right, but {computation} must be your own: {why}. Your lecturer "
                           "will look at it.",
                     "ko": "답은 맞지만 {computation}은(는) 직접 해야 한다: {why}. 강의자가 살펴본다."},
    "grade.called": {"en": "called {name}", "ko": "{name} 호출"},
    "grade.grader_failed": {"en": "the grader failed on this submission", "ko": "채점기가 이 제출물에서 실패했다"},
    "feedback.title": {"en": "# {assignment}: feedback for {student}", "ko": "# {assignment}: {student}의 피드백"},
    "feedback.score": {"en": "**Score: {total} / {maximum}**", "ko": "**점수: {total} / {maximum}**"},
    "feedback.header": {"en": "| exercise | points | status | what to look at |",
                        "ko": "| 문제 | 점수 | 상태 | 살펴볼 점 |"},
    "feedback.notes": {"en": "## Notes on this run", "ko": "## 채점 실행에 대한 메모"},
    "feedback.statuses": {"en": "Statuses: *passed* full points; *failed* the answer is wrong (the hint says "
                                "why); *missing* not done or not handed in; *error* the code raised; *timeout* "
                                "it ran too long; *needs review* right, but it calls the course's reference or "
                                "a framework where the exercise asks for your own computation (your lecturer "
                                "decides).",
                          "ko": "상태: *passed*(통과) 만점; *failed*(틀림) 답이 틀렸다(이유는 힌트에 있다); "
                                "*missing*(없음) 풀지 않았거나 제출하지 않았다; *error*(오류) 코드에서 오류가 "
                                "났다; *timeout*(시간 초과) 너무 오래 실행되었다; *needs review*(검토 필요) 답은 "
                                "맞지만 직접 계산해야 할 곳에서 강좌의 기준 구현이나 프레임워크를 호출했다"
                                "(강의자가 판단한다)."},
    "feedback.graded_in": {"en": "Graded in: {sandbox}.", "ko": "채점 환경: {sandbox}."},
    "status.passed": {"en": "passed", "ko": "통과"},
    "status.failed": {"en": "failed", "ko": "틀림"},
    "status.missing": {"en": "missing", "ko": "없음"},
    "status.error": {"en": "error", "ko": "오류"},
    "status.timeout": {"en": "timeout", "ko": "시간 초과"},
    "status.needs review": {"en": "needs review", "ko": "검토 필요"},
}
