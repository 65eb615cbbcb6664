# Warnings are errors in every target of this project; sanitizers are chosen with TUNEQ_SANITIZE.
function(tuneq_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 at -O2/-O3 reports std::string appends inlined from libstdc++ as overlapping memcpy
    # (GCC bug 105329), and std::variant<..., std::string> members as maybe-uninitialized
    # (GCC bug 107919), and some inlined vector destructors as use-after-free: false positives
    # at -O3, fixed in GCC 13. The ASan build still catches real ones at run time.
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-maybe-uninitialized
      -Wno-use-after-free)
  endif()
  if(TUNEQ_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(TUNEQ_SANITIZE)
  add_compile_options(-fsanitize=${TUNEQ_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${TUNEQ_SANITIZE})
endif()
