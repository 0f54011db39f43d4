// A file picker that also takes a dropped file.
import { useId, useState, type DragEvent, type ReactNode } from 'react';

/**
 * A drag-and-drop zone that is also a labelled file input, so it works from the
 * keyboard and with assistive technology: the input inside it is the real control.
 */
export function FileDrop(props: {
  label: string;
  hint?: ReactNode;
  accept?: string;
  disabled?: boolean;
  onFile: (file: File) => void;
  /** Take many files at once (chosen or dropped together); `onFiles` gets them all. */
  multiple?: boolean;
  onFiles?: (files: File[]) => void;
}) {
  const inputId = useId();
  const hintId = useId();
  const [dragging, setDragging] = useState(false);

  function onDragOver(e: DragEvent<HTMLDivElement>) {
    if (props.disabled) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  }
  function onDrop(e: DragEvent<HTMLDivElement>) {
    e.preventDefault();
    setDragging(false);
    if (props.disabled) return;
    if (props.multiple && props.onFiles) {
      if (e.dataTransfer.files.length) props.onFiles([...e.dataTransfer.files]);
      return;
    }
    const file = e.dataTransfer.files[0];
    if (file) props.onFile(file);
  }

  return (
    <div
      className={`drop-zone${dragging ? ' drop-zone-active' : ''}`}
      onDragOver={onDragOver}
      onDragEnter={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <label htmlFor={inputId} className="drop-zone-label">
        {props.label}
      </label>
      {props.hint ? (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      ) : null}
      <input
        id={inputId}
        type="file"
        accept={props.accept}
        multiple={props.multiple}
        disabled={props.disabled}
        aria-describedby={props.hint ? hintId : undefined}
        onChange={(e) => {
          const files = e.currentTarget.files;
          if (props.multiple && props.onFiles) {
            if (files?.length) props.onFiles([...files]);
          } else if (files?.[0]) props.onFile(files[0]);
          // Let the same file be chosen again after an error.
          e.currentTarget.value = '';
        }}
      />
      <p className="drop-zone-text" aria-hidden="true">
        {dragging ? (props.multiple ? 'Release to use these files' : 'Release to use this file') : props.multiple ? 'or drop files here' : 'or drop a file here'}
      </p>
    </div>
  );
}
