# The FAISS baseline of `hashmatch bench match`: a separate C++ program, built
# only when a C++ compiler, OpenMP and FAISS's CMake package (Debian's
# libfaiss-dev) are all found. Nothing else requires C++ or FAISS.
option(HM_WITH_FAISS "Build the FAISS baseline for `hashmatch bench match` if FAISS is found" ON)
if(HM_WITH_FAISS AND NOT CMAKE_CROSSCOMPILING)
  include(CheckLanguage)
  check_language(CXX)
  if(CMAKE_CXX_COMPILER)
    enable_language(CXX)
    find_package(OpenMP QUIET COMPONENTS CXX)
    if(OpenMP_CXX_FOUND)
      find_package(faiss CONFIG QUIET)
    endif()
    if(faiss_FOUND)
      add_executable(hashmatch_faiss ${PROJECT_SOURCE_DIR}/bench/faiss_baseline.cpp)
      set_target_properties(hashmatch_faiss PROPERTIES OUTPUT_NAME hashmatch-faiss
                            RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}
                            CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON)
      target_compile_options(hashmatch_faiss PRIVATE -Wall -Wextra)
      target_link_libraries(hashmatch_faiss PRIVATE faiss)
      add_dependencies(hashmatch_cli hashmatch_faiss)
      message(STATUS "FAISS baseline: building hashmatch-faiss")
    else()
      message(STATUS "FAISS baseline: libfaiss not found, `bench match` runs without it")
    endif()
  endif()
endif()
