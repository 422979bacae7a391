from shaderviz.synth.cli import main

main()
