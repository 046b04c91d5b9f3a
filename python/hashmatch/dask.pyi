"""Type hints of hashmatch.dask."""
from typing import Any, Iterable, List, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import PairStats

def hash_partition(paths: Iterable[str], algos: Any = ..., dihedral: bool = ..., threads: Optional[int] = ...,
                   start: int = ..., **kw: Any) -> Any: ...
def hash_corpus(paths: Iterable[Any], client: Any = ..., algos: Any = ..., *, partition_size: int = ...,
                dihedral: bool = ..., threads: Optional[int] = ..., **kw: Any) -> Any: ...
def codes_from_frame(frame: Any, algo: str, only_ok: bool = ...) -> Tuple[List[str], npt.NDArray[np.uint8]]: ...
def pair_stats(codes: Any, client: Any, *, algo: Optional[str] = ..., groups: Optional[npt.ArrayLike] = ...,
               dihedral: Optional[bool] = ..., tile: Optional[int] = ...) -> PairStats: ...
