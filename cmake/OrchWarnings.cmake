# orch_warnings(target): the project's warning set, errors on our own code only.
function(orch_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wno-missing-field-initializers)
endfunction()
