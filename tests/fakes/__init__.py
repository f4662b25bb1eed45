"""Local stand-ins for the outside services Forge talks to, speaking their real protocols."""
