# read_program.cmake (test unit.read_program): lnob-aggregator links none of
# the libraries only the daemon, the keys, the Excel and ADX exports and
# the baseline import use (libxml2 brings ICU and libstdc++; its
# start-up is most of a read-only command's time, README "Benchmarks"), and
# hands those commands to lnob-aggregator-full beside it, which links them.
# cmake -DPROG=lnob-aggregator -DFULL=lnob-aggregator-full -DTMP=dir -P read_program.cmake
set(HEAVY libzmq libmicrohttpd libxlsxwriter libsystemd libxml2)
foreach(bin PROG FULL)
  execute_process(COMMAND objdump -p ${${bin}} OUTPUT_VARIABLE dyn RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "objdump -p ${${bin}} failed: ${rc}")
  endif()
  set(needed_${bin} "")
  foreach(lib ${HEAVY})
    if(dyn MATCHES "NEEDED +${lib}\\.so")
      list(APPEND needed_${bin} ${lib})
    endif()
  endforeach()
endforeach()
if(needed_PROG)
  message(FATAL_ERROR "${PROG} needs ${needed_PROG}: a read-only command pays for loading it")
endif()
# The check sees the libraries at all: the full program needs every one.
list(LENGTH needed_FULL n)
if(NOT n EQUAL 5)
  message(FATAL_ERROR "${FULL} needs only '${needed_FULL}' of ${HEAVY}: the check is broken")
endif()
# A handed-over command runs (keygen: the keys' code), with its own exit status.
file(REMOVE_RECURSE ${TMP})
file(MAKE_DIRECTORY ${TMP})
execute_process(COMMAND ${PROG} keygen --id n1 --out ${TMP}/n1.key
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT EXISTS ${TMP}/n1.key.pub OR NOT out MATCHES "curve_public")
  message(FATAL_ERROR "keygen through ${PROG}: exit ${rc}: ${out} ${err}")
endif()
execute_process(COMMAND ${PROG} keygen --id n1 --out ${TMP}/n1.key
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "refusing to overwrite")
  message(FATAL_ERROR "keygen again through ${PROG}: exit ${rc}: ${err}")
endif()
# Without lnob-aggregator-full beside it: one message, exit 1.
file(COPY ${PROG} DESTINATION ${TMP}/alone)
get_filename_component(name ${PROG} NAME)
execute_process(COMMAND ${TMP}/alone/${name} keygen --id n2 --out ${TMP}/n2.key
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "keygen: cannot run .*/alone/lnob-aggregator-full: No such file")
  message(FATAL_ERROR "keygen without the full program: exit ${rc}: ${err}")
endif()
file(REMOVE_RECURSE ${TMP})
