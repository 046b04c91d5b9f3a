# The FAISS baselines of `hashmatch bench match`: a separate C++ program,
# built only when a C++ compiler, OpenMP and a FAISS are found. Nothing else
# requires C++ or FAISS.
#
#   hashmatch-faiss          FAISS built from Debian's source package at its
#                            widest optimisation level for this CPU, by
#                            scripts/faiss-native.sh (`scripts/setup.sh bench`)
#                            into ${XDG_CACHE_HOME:-~/.cache}/hashmatch/faiss-<version>-<level>:
#                            the baseline the documentation quotes.
#   hashmatch-faiss-debian   Debian's binary libfaiss (libfaiss-dev), built for
#                            the baseline x86-64 CPU without the POPCNT
#                            instruction: reported, labelled as handicapped.
option(HM_WITH_FAISS "Build the FAISS baselines for `hashmatch bench match` if FAISS is found" ON)
set(HM_FAISS_NATIVE_DIR "" CACHE PATH
    "Install directory of scripts/faiss-native.sh (default: the newest one in its cache)")

# The newest faiss-<version>-<level> directory of the cache that is complete.
function(hm_find_native_faiss out)
  set(dir "${HM_FAISS_NATIVE_DIR}")
  if(NOT dir)
    if(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
      set(cache "$ENV{XDG_CACHE_HOME}/hashmatch")
    else()
      set(cache "$ENV{HOME}/.cache/hashmatch")
    endif()
    file(GLOB found LIST_DIRECTORIES true "${cache}/faiss-*/.complete")
    list(SORT found COMPARE NATURAL ORDER DESCENDING)
    list(LENGTH found nfound)
    if(nfound GREATER 0)
      list(GET found 0 first)
      get_filename_component(dir "${first}" DIRECTORY)
    endif()
  endif()
  if(dir AND EXISTS "${dir}/lib/libfaiss_native.a" AND EXISTS "${dir}/include/faiss/IndexBinaryFlat.h")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

# hashmatch-faiss<suffix> from bench/faiss_baseline.cpp; `label` names the
# FAISS build in every row it prints.
function(hm_add_faiss_program suffix label)
  add_executable(hashmatch_faiss${suffix} ${PROJECT_SOURCE_DIR}/bench/faiss_baseline.cpp)
  set_target_properties(hashmatch_faiss${suffix} PROPERTIES OUTPUT_NAME hashmatch-faiss${suffix}
                        RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}
                        CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON)
  target_compile_options(hashmatch_faiss${suffix} PRIVATE -Wall -Wextra)
  target_compile_definitions(hashmatch_faiss${suffix} PRIVATE "HM_FAISS_LABEL=\"${label}\"")
  add_dependencies(hashmatch_cli hashmatch_faiss${suffix})
endfunction()

if(HM_WITH_FAISS AND NOT CMAKE_CROSSCOMPILING)
  include(CheckLanguage)
  check_language(CXX)
  if(CMAKE_CXX_COMPILER)
    enable_language(CXX)
    find_package(OpenMP QUIET COMPONENTS CXX)
  endif()
  if(OpenMP_CXX_FOUND)
    hm_find_native_faiss(native)
    if(native)
      find_package(BLAS QUIET)
      find_package(LAPACK QUIET)
    endif()
    if(native AND BLAS_FOUND AND LAPACK_FOUND)
      get_filename_component(native_name "${native}" NAME)
      string(REGEX REPLACE "^faiss-(.*)-([a-z0-9]+)$" "\\1" native_version "${native_name}")
      string(REGEX REPLACE "^faiss-(.*)-([a-z0-9]+)$" "\\2" native_level "${native_name}")
      hm_add_faiss_program("" "FAISS ${native_version} built from Debian's source at FAISS_OPT_LEVEL=${native_level}")
      target_include_directories(hashmatch_faiss PRIVATE "${native}/include")
      target_link_libraries(hashmatch_faiss PRIVATE "${native}/lib/libfaiss_native.a"
                            OpenMP::OpenMP_CXX ${LAPACK_LIBRARIES} ${BLAS_LIBRARIES})
      message(STATUS "FAISS baseline: hashmatch-faiss from ${native}")
    else()
      message(STATUS "FAISS baseline: no native build (scripts/setup.sh bench makes one)")
    endif()
    find_package(faiss CONFIG QUIET)
    if(faiss_FOUND)
      hm_add_faiss_program("-debian" "Debian libfaiss ${faiss_VERSION} (baseline x86-64 build: software popcount, no POPCNT instruction)")
      target_link_libraries(hashmatch_faiss-debian PRIVATE faiss)
      message(STATUS "FAISS baseline: hashmatch-faiss-debian from Debian's libfaiss")
    endif()
  endif()
endif()
