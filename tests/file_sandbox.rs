//! The File device's sandbox through the `hop` binary, as a person and
//! another process would meet it: a folder swapped for a symlink while a
//! ROM waits between setting a name and using it, and the files named on
//! the command line, which a ROM may open although they lie outside the
//! root (and nothing beside them).

mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::symlink;

use support::golden::assert_exit;
use support::{TempDir, hop_in};

const DEVICES: &str = "
|00 @System &vector $2 &expansion $2 &wst $1 &rst $1 &metadata $2 &r $2 &g $2 &b $2 &debug $1 &state $1
|10 @Console &vector $2 &read $1 &pad $4 &type $1 &write $1 &error $1
|a0 @File0 &vector $2 &success $2 &stat $2 &delete $1 &append $1 &name $2 &length $2 &read $2 &write $2
|b0 @File1 &vector $2 &success $2 &stat $2 &delete $1 &append $1 &name $2 &length $2 &read $2 &write $2
";

const PRINT: &str = "
@print ( str* -- )
	LDAk DUP ?{ POP POP2 JMP2r } .Console/write DEO INC2 !print

@print-hex ( short* -- )
	SWP print-byte
	( fall through )
@print-byte ( byte -- )
	DUP #04 SFT print-nibble #0f AND
	( fall through )
@print-nibble ( nibble -- )
	DUP #09 GTH #27 MUL ADD #30 ADD .Console/write DEO JMP2r
";

/// Sets `victim/t.txt` on File0 and `victim/secret` on File1 while
/// `victim` is a folder in the root, says `ready`, and waits for a console
/// byte; then writes `PWNED` to the first and prints what it reads from
/// the second.
fn waiting_rom() -> String {
    format!(
        "{DEVICES}
|0100
	;on-console .Console/vector DEO2
	;target .File0/name DEO2
	;secret .File1/name DEO2
	;ready print
	BRK

@on-console ( -> )
	#0005 .File0/length DEO2 ;pwned .File0/write DEO2
	;wrote print .File0/success DEI2 print-hex
	#0040 .File1/length DEO2 ;buf .File1/read DEO2
	;read print .File1/success DEI2 print-hex
	#20 .Console/write DEO ;buf print
	#0a .Console/write DEO
	#80 .System/state DEO
	BRK
{PRINT}
@target \"victim/t.txt 00
@secret \"victim/secret 00
@ready \"ready 0a 00
@wrote \"wrote 20 00
@read \", 20 \"read 20 00
@pwned \"PWNED
@buf $41
"
    )
}

#[test]
fn a_folder_swapped_for_a_symlink_after_the_name_was_set_leads_nowhere() {
    let base = TempDir::new("toctou");
    let root = base.path("root");
    let outside = base.path("outside");
    std::fs::create_dir_all(root.join("victim")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret"), b"the outside secret").unwrap();
    let rom = base.file("waiting.tal", waiting_rom());
    let mut child = support::hop()
        .args(["--headless", "--root"])
        .arg(&root)
        .arg(&rom)
        .spawn();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n", "the ROM has set its names");
    // Now, between the ROM's check and its use, another process makes
    // `victim` a symlink to the outside folder.
    std::fs::rename(root.join("victim"), root.join("was-victim")).unwrap();
    symlink(&outside, root.join("victim")).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"x").unwrap();
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let out = child.finish();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(rest, "wrote 0000, read 0000 \n");
    let mut beside: Vec<_> = std::fs::read_dir(&outside)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    beside.sort();
    assert_eq!(beside, ["secret"], "nothing was written outside");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "hop: file: refused \"victim/t.txt\": it leads outside {root}\n\
             hop: file: refused \"victim/secret\": it leads outside {root}\n",
            root = root.canonicalize().unwrap().display()
        )
    );
}

/// Takes each argument as a file name, then a few names of its own, and
/// for each prints what a read, a write of `hop!` and a stat give.
fn names_rom() -> String {
    format!(
        "{DEVICES}
|0000 @ptr $2
|0100
	;on-console .Console/vector DEO2
	;arg .ptr STZ2
	BRK

@on-console ( -> )
	.Console/type DEI #02 NEQ ?{{
		.Console/read DEI .ptr LDZ2 STA
		.ptr LDZ2 INC2 .ptr STZ2 BRK }}
	#00 .ptr LDZ2 STA
	;arg try
	;arg .ptr STZ2
	.Console/type DEI #04 NEQ ?{{
		;own
		&loop
			DUP2 try
			&skip INC2 LDAk ?&skip INC2
			LDAk ?&loop
		POP2
		#80 .System/state DEO }}
	BRK

@try ( name* -- )
	DUP2 print ;&colon print
	DUP2 .File0/name DEO2
	#0040 .File0/length DEO2 ;buf .File0/read DEO2
	#00 .File0/success DEI2 ;buf ADD2 STA
	;&read print .File0/success DEI2 print-hex
	;&open print ;buf print ;&close print
	#0004 .File0/length DEO2 ;hop .File0/write DEO2
	;&write print .File0/success DEI2 print-hex
	#0004 .File0/length DEO2 ;stat .File0/stat DEO2
	;&stat print ;stat print
	#0a .Console/write DEO
	POP2 JMP2r
	&colon \": 20 00
	&read \"read 20 00
	&open 20 \"[ 00
	&close \"] 20 00
	&write \"write 20 00
	&stat \", 20 \"stat 20 00
{PRINT}
@own
	\"../sibling.txt 00
	\"./../notes.txt 00
	\"../notes.txt/ 00
	\"../ 00
	\"..//notes.txt 00
	00
@hop \"hop!
@stat $4 00
@buf $41
@arg $400
"
    )
}

#[test]
fn files_named_on_the_command_line_are_reachable_and_nothing_beside_them() {
    let base = TempDir::new("grants");
    let root = base.path("root");
    std::fs::create_dir_all(&root).unwrap();
    base.file("notes.txt", "notes");
    base.file("sibling.txt", "sibling");
    base.file("elsewhere/abs.txt", "absolute");
    std::fs::create_dir_all(base.path("folder")).unwrap();
    let rom = base.file("names.tal", names_rom());
    let abs = base.path("elsewhere/abs.txt").display().to_string();
    let rom_path = rom.display().to_string();
    // Run from the root, as `cd root && hop ../left.rom ../notes.txt`.
    let out = hop_in(
        &root,
        &[
            "--headless",
            &rom_path,
            "../notes.txt",
            "../new.txt",
            &abs,
            "../folder",
            "../missing/new.txt",
        ],
        b"",
    );
    assert_exit(&out, 0);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = format!(
        "../notes.txt: read 0005 [notes] write 0004, stat 0004
../new.txt: read 0000 [] write 0004, stat 0004
{abs}: read 0008 [absolute] write 0004, stat 0004
../folder: read 0000 [] write 0000, stat !!!!
../missing/new.txt: read 0000 [] write 0000, stat !!!!
../sibling.txt: read 0000 [] write 0000, stat !!!!
./../notes.txt: read 0000 [] write 0000, stat !!!!
../notes.txt/: read 0000 [] write 0000, stat !!!!
../: read 0000 [] write 0000, stat !!!!
..//notes.txt: read 0000 [] write 0000, stat !!!!
"
    );
    assert_eq!(stdout, expected);
    // The named files were read and written, and nothing else beside.
    let read = |name: &str| std::fs::read_to_string(base.path(name)).unwrap();
    assert_eq!(read("notes.txt"), "hop!");
    assert_eq!(read("new.txt"), "hop!");
    assert_eq!(read("elsewhere/abs.txt"), "hop!");
    assert_eq!(read("sibling.txt"), "sibling");
    assert_eq!(
        support::file_names(&base.0),
        [
            "elsewhere",
            "folder",
            "names.tal",
            "new.txt",
            "notes.txt",
            "root",
            "sibling.txt"
        ]
    );
    assert!(support::file_names(&base.path("folder")).is_empty());
    assert!(support::file_names(&root).is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("hop: file: refused \"../sibling.txt\""),
        "{stderr}"
    );
}
