cmake_minimum_required(VERSION 3.25)
# cmake -DICUPKG=... -DFULL=icudt72l.dat -DKEEP=list.txt -DOUT_DIR=dir -DC_SOURCE=file.c -DSYMBOL=name -P make_icu_data.cmake
#
# Writes OUT_DIR/<package>.dat holding only the items listed in KEEP, and a C
# file embedding it (16-byte aligned, as udata_setCommonData requires).
get_filename_component(package ${FULL} NAME_WE)
file(STRINGS ${KEEP} keep REGEX "^[^#].*")
execute_process(COMMAND ${ICUPKG} -l ${FULL} OUTPUT_VARIABLE all_items RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "icupkg -l ${FULL} failed")
endif()
string(REPLACE "\n" ";" all_items "${all_items}")
set(remove "")
foreach(item IN LISTS all_items)
  if(item AND NOT item IN_LIST keep)
    string(APPEND remove "${item}\n")
  endif()
endforeach()
file(MAKE_DIRECTORY ${OUT_DIR})
file(WRITE ${OUT_DIR}/remove.lst "${remove}")
file(REMOVE ${OUT_DIR}/${package}.dat)
# --ignore-deps: root.res names every break type (line, sentence, Thai, ...);
# only word breaking is used, and tests/wasm/parity.test.mjs proves it works.
execute_process(COMMAND ${ICUPKG} --ignore-deps -r ${OUT_DIR}/remove.lst ${FULL} ${OUT_DIR}/${package}.dat RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "icupkg could not trim ${FULL} to the items in ${KEEP}")
endif()
if(C_SOURCE)
  file(READ ${OUT_DIR}/${package}.dat hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  file(WRITE ${C_SOURCE} "/* Generated from ${KEEP}: do not edit. */\n"
       "_Alignas(16) const unsigned char ${SYMBOL}[] = {${bytes}};\n")
endif()
