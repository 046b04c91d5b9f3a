/* layout_v010.c - the layout the frozen 0.1.0 header declares. */
#include "hashmatch-0.1.0.h"
#include "layout.h"

static const hm_abi_field FIELDS[] = {HM_ABI_FIELDS(HM_ABI_FIELD_ENTRY){NULL, 0, 0, 0}};
static const hm_abi_struct STRUCTS[] = {HM_ABI_STRUCTS(HM_ABI_STRUCT_ENTRY){NULL, 0, 0}};
static const hm_abi_constant CONSTANTS[] = {HM_ABI_CONSTANTS(HM_ABI_CONSTANT_ENTRY){NULL, 0}};
const hm_abi_layout hm_abi_layout_v010 = {FIELDS, STRUCTS, CONSTANTS};
