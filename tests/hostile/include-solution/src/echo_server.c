/* echo_server.c - hostile: #include the kit's reference solution at compile time.
 *
 * The compiler reads whatever path it is given; the kit's folder is where the instructor
 * checked it out (guessed here; __FILE__ and error messages of a first try give it away
 * too). If the compiler can read it, the submission is the reference and scores full marks. */
#include "@KIT@/solutions/01-tcp-echo/src/echo_server.c"
