/* moisson — metadata harvester and aggregator.  See README.md. */
#include "cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
