// NoPE: no positional information at all; causal masking alone must carry order.
#include "encoding.h"

const pe_ops pe_nope = {
    .name = "nope",
    .summary = "no positional encoding; the causal mask alone carries order",
    .invariances = PE_SHIFT_INVARIANT | PE_POSITION_FREE,
};
