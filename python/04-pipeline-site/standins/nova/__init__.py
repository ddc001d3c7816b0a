"""A STAND-IN for nova, not nova: only the factory paths the tutorial
configs name, making the step-04 twin's pieces."""
