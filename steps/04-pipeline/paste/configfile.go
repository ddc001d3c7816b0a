package paste

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// This file twins the open() of loadwsgi.py's ConfigLoader, bounded.

// readConfigFile returns the config file at path, so that neither
// start-up nor a SIGHUP reload can hang on it or fill memory with it. It
// refuses anything but a regular file (opening a FIFO waits for a
// writer; /dev/zero never ends), a file over maxConfigSize, and one that
// grows while it is read.
func readConfigFile(path string) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO returns at once, to be refused below.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat() // the file opened, not whatever path names now
	if err != nil {
		return nil, err
	}
	switch {
	case info.IsDir():
		return nil, fmt.Errorf("%s is a directory, not a config file", path)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file: a pipe or a device could keep a read waiting forever", path)
	case info.Size() > maxConfigSize:
		return nil, fmt.Errorf("%s is %d bytes, over the %d a config may have", path, info.Size(), maxConfigSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err == nil && int64(len(data)) != info.Size() {
		err = fmt.Errorf("%s changed size while it was read: write the new config to another file, then rename it into place", path)
	}
	return data, err
}
