# Warnings are errors in every target of this project; sanitizers are chosen with TUNEQ_SANITIZE.
function(tuneq_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
  if(TUNEQ_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(TUNEQ_SANITIZE)
  add_compile_options(-fsanitize=${TUNEQ_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${TUNEQ_SANITIZE})
endif()
