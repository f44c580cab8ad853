# The libFuzzer targets (tests/fuzz/fuzz_<name>) and the executions
# ./tests/run gives each (ctest fuzz.<name>: `tests/fuzz/run target`),
# as <name>:<runs>. Each count is about 10 s of this target on the 2-core
# machine at the speed measured with its seed corpus (README "Fuzzing");
# LNOB_FUZZ_SECONDS caps each run's time as well. Included by
# tests/CMakeLists.txt (the tests) and tests/fuzz/CMakeLists.txt (which
# checks that it defines exactly these targets).
set(LNOB_FUZZ_TARGETS
  frame:500000
  envelope:500000
  ingest:3000
  metadata:60000
  ini:100000
  conf:100000
  campaign:25000
  hierarchy:300000
  intake_csv:300000
  intake_json:300000
  intake_xlsx:60000
  xlsx_xml:100000
  nominate:200000
  dhis2_in:200000
)
set(LNOB_FUZZ_SECONDS 60)
