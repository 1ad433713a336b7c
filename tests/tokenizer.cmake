# CLIP tokenizer: golden ids from transformers, per-code-point Unicode checks,
# bad input, allocation failure; the fuzz target replayed over its seeds.
clx_test(test_tokenizer ARGS ${CLX_FIXTURES}/clip_tokenizer
         LIBS PkgConfig::CJSON PkgConfig::UTF8PROC LABELS "bad-input")
clx_fuzz_target(fuzz_tokenizer ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/tokenizer
                DEFS CLX_TOKENIZER_FIXTURE="${CLX_FIXTURES}/clip_tokenizer")
